"""`xenlab`: check an inventory, learn a lab's facts, diff two snapshots, and gate a change on a baseline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xenlab.errors import DeviceError
from xenlab.inventory import Inventory, InventoryError, load_inventory, redact
from xenlab.inventory.loader import known_hosts_path
from xenlab.snapshot import diff, load, save


def learn(inventory: Inventory) -> dict[str, Any]:
    """Every fact the suites assert on, gathered once: the pool over XenAPI and each switch over SSH."""
    from xenlab.switch.client import close_sessions, session
    from xenlab.switch.facts import collect_switch_facts
    from xenlab.xapi import collect_facts, connect

    known_hosts = known_hosts_path(inventory)
    facts: dict[str, Any] = {"collected_at": datetime.now(UTC).isoformat(), "lab": inventory.lab.name}
    with connect(inventory) as xapi:
        facts["pool"] = _readable(collect_facts(xapi).as_dict()["xapi"])
    try:
        facts["switches"] = {
            sw.name: collect_switch_facts(session(sw, known_hosts)).to_dict() for sw in inventory.switches
        }
    finally:
        close_sessions()
    return facts


def _readable(classes: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Key each record by its name where names are unique, so a diff reads `host.xen2.enabled`."""
    out: dict[str, dict[str, Any]] = {}
    for cls, records in classes.items():
        names = [r.get("name_label") or r.get("device") for r in records.values()]
        unique = all(names) and len(set(names)) == len(names)
        out[cls] = {
            (name if unique else r.get("uuid", ref)): r for (ref, r), name in zip(records.items(), names, strict=True)
        }
    return out


def cmd_check(args: argparse.Namespace) -> int:
    inventory = load_inventory(args.inventory)
    print(
        f"{inventory.source}: valid ({inventory.lab.kind} lab {inventory.lab.name}, "
        f"{len(inventory.pool.hosts)} hosts, {len(inventory.switches)} switches, {len(inventory.vms)} VMs)"
    )
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    inventory = load_inventory(args.inventory)
    out = Path(args.output or f"reports/facts-{inventory.lab.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json")
    save(learn(inventory), out)
    print(f"xenlab: facts of {inventory.lab.name} saved to {out}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    changes = diff(load(Path(args.before)), load(Path(args.after)))
    for change in changes:
        print(redact(str(change)))
    print(f"xenlab: {len(changes)} change(s)" if changes else "xenlab: no change")
    return 1 if changes else 0


def cmd_gate(args: argparse.Namespace) -> int:
    from xenlab import gate
    from xenlab.acceptance import Outputs

    outputs = Outputs(Path(args.reports))
    if args.gate_command == "snapshot":
        return gate.snapshot(args.name, args.pytest_args, outputs)
    return gate.check(args.name, args.pytest_args or None, outputs)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xenlab", description="Acceptance checks for a XenServer lab.")
    sub = p.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-inventory", help="validate an inventory and say what it describes")
    check.add_argument("inventory", nargs="?")
    learn_p = sub.add_parser("learn", help="save the lab's facts as JSON (before a change, and after)")
    learn_p.add_argument("--inventory")
    learn_p.add_argument("-o", "--output", help="file to write (default reports/facts-<lab>-<time>.json)")
    diff_p = sub.add_parser("diff", help="what changed between two saved fact files; exit 1 if anything did")
    diff_p.add_argument("before")
    diff_p.add_argument("after")
    gate_p = sub.add_parser(
        "gate",
        help="pre-change gate: snapshot a baseline, then check against it",
        description="Run the non-destructive checks and save (snapshot) or compare (check) "
        "their outcomes and the lab's facts; other arguments go to pytest "
        "(--inventory, paths, -m ...). check reuses the snapshot's arguments "
        "unless given others. Exit: 0 no regression, 1 regressions, 2 cannot judge.",
    )
    gate_sub = gate_p.add_subparsers(dest="gate_command", required=True)
    for verb, text in (
        ("snapshot", "save the outcomes and facts as baseline NAME (reports/baselines/NAME/)"),
        ("check", "run again and compare with baseline NAME; exit 1 on any regression"),
    ):
        verb_p = gate_sub.add_parser(verb, help=text)
        verb_p.add_argument("name")
        verb_p.add_argument("--reports", default="reports", help="output folder (default reports/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = parser().parse_known_args(argv)
    if extra and args.command != "gate":
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    args.pytest_args = [a for a in extra if a != "--"]
    handler = {"check-inventory": cmd_check, "learn": cmd_learn, "diff": cmd_diff, "gate": cmd_gate}[args.command]
    try:
        return handler(args)
    except (InventoryError, DeviceError) as exc:
        print(f"xenlab: {redact(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
