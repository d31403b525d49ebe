"""`simlab`: run the digital twin of a lab, and inject faults into it."""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from simlab.runtime import RunningTwin, TwinError, clean_leftovers, find_running, start_detached, state_dir_for
from xenlab.inventory import Inventory, InventoryError, load_inventory, redact


def _running(inventory: Inventory) -> RunningTwin:
    twin = find_running(inventory)
    if twin is None:
        raise TwinError(f"no twin is up for {inventory.source}; start one with `simlab up --detach`")
    return twin


def cmd_up(inventory: Inventory, args: argparse.Namespace) -> int:
    from simlab.leases import start_lock

    if args.spawned:  # start_detached's child: its parent holds the start lock and cleaned up
        return serve(inventory, leased=args.leased)
    state_dir = state_dir_for(inventory)
    with start_lock(state_dir):
        already = find_running(inventory)
        if already is not None:
            print(f"simlab: a twin for {inventory.lab.name} is already up (pid {already.pid})", file=sys.stderr)
            return 1
        for line in clean_leftovers(inventory):
            print(f"simlab: removed what an earlier twin of {inventory.lab.name} left: {line}", file=sys.stderr)
        if args.detach:
            twin = start_detached(inventory)
            print(f"simlab: {inventory.lab.name} up in the background (pid {twin.pid}); `simlab down` stops it")
            for line in twin.endpoints:
                print(f"  {line}")
            return 0
    return serve(inventory)


def serve(inventory: Inventory, leased: bool = False) -> int:
    """Run the twin in this process until Ctrl-C, SIGTERM, SIGHUP, `simlab down` or (leased) its last session ends."""
    from simlab.leases import watch_leases
    from simlab.runtime import Control, make_state_dir, retire_state
    from simlab.twin import Twin

    state_dir = state_dir_for(inventory)
    make_state_dir(state_dir)
    control = None
    failed = False
    # SIGTERM and SIGHUP take the same clean path as Ctrl-C (which a background job may have ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    twin = None
    try:
        twin = Twin(inventory, state_dir)
        twin.start()
        control = Control(twin, leased=leased)
        control.start()
        if leased:
            watch_leases(state_dir, control.begin_stop, control.stopped)
        print(f"simlab: {inventory.lab.name} is up (Ctrl-C or `simlab down` stops it)", flush=True)
        for line in twin.endpoints():
            print(f"  {line}", flush=True)
        while not control.stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    except BaseException:
        failed = True
        raise
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if control is not None:
            control.close()
        if twin is not None:
            twin.stop()
        retire_state(state_dir, keep_log=failed)
        print(f"simlab: {inventory.lab.name} stopped", flush=True)
    return 0


def cmd_down(inventory: Inventory, _args: argparse.Namespace) -> int:
    twin = find_running(inventory)
    if twin is None:
        print(f"simlab: no twin is up for {inventory.lab.name}")
        return 0
    twin.stop()
    print(f"simlab: {inventory.lab.name} stopped (pid {twin.pid})")
    return 0


def cmd_status(inventory: Inventory, _args: argparse.Namespace) -> int:
    twin = find_running(inventory)
    if twin is None:
        print(f"simlab: {inventory.lab.name} is not running")
        return 3
    status = twin.request("status")
    print(f"simlab: {status['lab']} is up (pid {status['pid']}, state {twin.state_dir})")
    for line in status["endpoints"]:
        print(f"  {line}")
    print("faults: " + (", ".join(status["faults"]) or "none"))
    counters = status.get("counters", {})
    logins = sum(v for k, v in counters.items() if k.startswith("ssh.login."))
    print(f"served: {counters.get('xapi.call', 0)} XenAPI calls, {logins} SSH logins")
    return 0


def cmd_faults(inventory: Inventory, _args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    import simlab.faults  # noqa: F401  (registers them)
    from simlab.faults.registry import REGISTRY

    rows = [(shlex.join([spec.name, *spec.example(inventory)]), spec.breaks) for spec in REGISTRY.values()]
    width = max((len(r[0]) for r in rows), default=0)
    for command, breaks in sorted(rows):
        print(f"{command:<{width}}  {breaks}", file=out)
    return 0


def cmd_fault(inventory: Inventory, args: argparse.Namespace) -> int:
    if args.name is None:
        print("usage: simlab fault NAME [ARGS]; the faults this lab has:", file=sys.stderr)
        cmd_faults(inventory, args, out=sys.stderr)
        return 2
    _running(inventory).fault(args.name, *args.args)
    print(f"simlab: injected {' '.join([args.name, *args.args])}")
    return 0


def cmd_heal(inventory: Inventory, args: argparse.Namespace) -> int:
    reply = _running(inventory).request("heal", name=args.name)
    print("simlab: healed " + (", ".join(reply["healed"]) or "nothing"))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simlab", description="The digital twin of a xenlab lab.")
    p.add_argument("--inventory", help="inventory file (default: $XENLAB_INVENTORY or inventory/simlab.yml)")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the twin; Ctrl-C stops it")
    up.add_argument("--detach", action="store_true", help="run in the background; `simlab down` stops it")
    up.add_argument("--leased", action="store_true", help=argparse.SUPPRESS)  # started by a session: see leases
    up.add_argument("--spawned", action="store_true", help=argparse.SUPPRESS)  # by start_detached
    sub.add_parser("down", help="stop a detached twin")
    sub.add_parser("status", help="is it up, its endpoints and active faults")
    sub.add_parser("faults", help="the faults it can inject, ready to run")
    fault = sub.add_parser("fault", help="inject a fault: simlab fault NAME [ARGS]")
    fault.add_argument("name", nargs="?")
    fault.add_argument("args", nargs="*")
    heal = sub.add_parser("heal", help="undo one fault by name, or all")
    heal.add_argument("name", nargs="?")
    for name in ("up", "down", "status", "faults", "fault", "heal"):
        sub.choices[name].add_argument("--inventory", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="simlab: %(message)s", stream=sys.stderr)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # one line per SSH channel otherwise
    try:
        inventory = load_inventory(args.inventory)
        handler = globals()[f"cmd_{args.command}"]
        return handler(inventory, args)
    except (InventoryError, TwinError) as exc:
        print(f"simlab: {redact(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
