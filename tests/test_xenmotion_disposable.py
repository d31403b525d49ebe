"""suites/xenmotion with a disposable clone, against the tests' twin: the lab's own VMs are not touched.

The inventory marks no VM ``migrate`` and names the template (``xenmotion.template``, which the twin
has as a lab prepared for the suite would): the suite clones it, starts the clone on the first host,
pings it through a live migration and back, and destroys it with its disk; on a failed migration, on
Ctrl-C and on SIGTERM as well. A run killed with SIGKILL leaves its clone, which the next run finds by
its tag and removes before it starts. A watcher in this process records what the twin saw of the clone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.children import start_pytest
from tests.harness import TwinHarness, expectations_copy

SUITE = "suites/xenmotion"
CLONE = "xenlab-disposable-1"
CHECK = f"test_live_migration.py::test_live_migration_loses_at_most_the_budget[{CLONE}]"
TAG = "xenlab_disposable"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="pinging VMs needs the data plane (root)")


def _unmarked(tmp_path: Path) -> Path:
    """The tests' lab with no VM marked ``migrate`` (the suite falls back to disposable clones of the template),
    run as a real lab's inventory would be: against the running twin."""

    def unmark(data: dict) -> None:
        for vm in data["vms"]:
            vm.pop("migrate", None)

    return expectations_copy(tmp_path, "disposable", unmark)


def _flags(twin: TwinHarness) -> tuple[str, ...]:
    return ("--allow-destructive", "--lab-name", twin.inventory.lab.name)


def _lab_state(twin: TwinHarness) -> tuple[dict[str, tuple[str, str | None]], set[str]]:
    """Every VM's power state and host, and every VDI's name: what a run must leave as it found."""
    with twin.lab.lock:
        vms = {v.name: (v.power_state, v.resident_on) for v in twin.lab.vms.values()}
        vdis = {d.name for sr in twin.lab.srs.values() for d in sr.vdis}
    return vms, vdis


@contextmanager
def watching(twin: TwinHarness) -> Iterator[list[tuple[str, str | None, bool]]]:
    """What the twin saw of the clone, change by change: (power state, host, HA-protected); "gone" once destroyed."""
    seen: list[tuple[str, str | None, bool]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.01):
            with twin.lab.lock:
                vm = twin.lab.vms.get(CLONE)
                now = (
                    (vm.power_state, vm.resident_on, bool(vm.ha_restart_priority or vm.ha_always_run))
                    if vm
                    else ("gone", None, False)
                )
            if (seen and seen[-1] != now) or (not seen and vm is not None):
                seen.append(now)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def _hosts(seen: list[tuple[str, str | None, bool]]) -> list[str | None]:
    """The hosts the clone ran on, in order, without repeats."""
    hosts: list[str | None] = []
    for state, host, _ in seen:
        if state == "Running" and (not hosts or hosts[-1] != host):
            hosts.append(host)
    return hosts


def test_a_disposable_clone_is_created_migrated_pinged_and_destroyed(twin: TwinHarness, tmp_path) -> None:
    before = _lab_state(twin)
    with watching(twin) as seen:
        outcome = twin.run_suite(SUITE, [], *_flags(twin), inventory=_unmarked(tmp_path))
    assert outcome.passed == {CHECK} and not outcome.failed and not outcome.skipped, (
        outcome.summary() + outcome.output[-2000:]
    )
    assert _hosts(seen) == ["xen1", "xen2", "xen1"], seen  # started on the first host, there and back
    assert seen[-1][0] == "gone", seen
    assert not any(protected for _, _, protected in seen), f"HA protected the clone: {seen}"
    measured = outcome.properties[CHECK]
    assert int(measured["lost_pings"]) <= 1 and float(measured["migration_s"]) > 0, measured
    assert _lab_state(twin) == before, "the run left the lab otherwise than it found it (a VM, a disk)"


def test_a_failed_migration_still_destroys_the_clone(twin: TwinHarness, tmp_path) -> None:
    before = _lab_state(twin)
    with watching(twin) as seen:
        outcome = twin.run_suite(
            SUITE, [("host-memory-exhausted", ["xen2"])], *_flags(twin), inventory=_unmarked(tmp_path)
        )
    assert set(outcome.failed) == {CHECK}, outcome.summary()
    assert outcome.failed[CHECK].startswith(f"{CLONE}: live migration xen1 -> xen2 failed: HOST_NOT_ENOUGH_FREE_MEMORY")
    assert _hosts(seen) == ["xen1"] and seen[-1][0] == "gone", seen
    assert _lab_state(twin) == before


def _start(twin: TwinHarness, inventory: Path) -> subprocess.Popen:
    return start_pytest(SUITE, f"--inventory={inventory}", "-q", *_flags(twin))


def _wait_for_the_migration(twin: TwinHarness, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        with twin.lab.lock:
            vm = twin.lab.vms.get(CLONE)
            if vm is not None and vm.operation:
                return
        time.sleep(0.01)
    proc.kill()
    raise AssertionError(f"{CLONE} was never migrating: {proc.communicate()[0][-2000:]}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_destroys_the_clone(twin: TwinHarness, tmp_path, sig: signal.Signals) -> None:
    before = _lab_state(twin)
    proc = _start(twin, _unmarked(tmp_path))
    try:
        _wait_for_the_migration(twin, proc)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, out
    assert _lab_state(twin) == before, out


def test_a_killed_runs_clone_is_removed_when_the_next_run_starts(twin: TwinHarness, tmp_path) -> None:
    before = _lab_state(twin)
    inventory = _unmarked(tmp_path)
    proc = _start(twin, inventory)
    try:
        _wait_for_the_migration(twin, proc)
        proc.kill()  # no teardown runs: the clone stays
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with twin.lab.lock:
        left = twin.lab.vms.get(CLONE)
        assert left is not None and left.other_config.get(TAG) == twin.inventory.lab.name
    with watching(twin) as seen:
        outcome = twin.run_suite(SUITE, [], *_flags(twin), inventory=inventory)
    assert outcome.passed == {CHECK} and not outcome.failed, outcome.summary()
    # The leftover went (the first "gone") before the fresh clone was made, migrated and destroyed in its turn.
    assert [state for state, _, _ in seen].count("gone") == 2 and seen[-1][0] == "gone", seen
    assert _lab_state(twin) == before
