"""suites/xenmotion (destructive) against the tests' twin: green when healthy, each migration fault turns
exactly its check red naming the VM, the twin ends as it started, and SIGTERM during a migration still
puts every VM back where it started.

The rows are the destructive section of the one fault table (tests/faults.py, DESTRUCTIVE_CATALOGUE).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.children import start_pytest
from tests.faults import DESTRUCTIVE_CATALOGUE, DESTRUCTIVE_LOSS_ROWS, XENMOTION_CHECK, XM_VM1, XM_VM4
from tests.harness import TwinHarness

SUITE = "suites/xenmotion"
CHECK = XENMOTION_CHECK.removeprefix("xenmotion/")
VM1, VM4 = XM_VM1, XM_VM4


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="pinging VMs needs the data plane (root)")


def _flags(twin: TwinHarness) -> tuple[str, ...]:
    return ("--allow-destructive", "--lab-name", twin.inventory.lab.name)


def _placement(twin: TwinHarness) -> dict[str, str | None]:
    with twin.lab.lock:
        return {vm.name: vm.resident_on for vm in twin.lab.vms.values()}


def test_healthy_twin_migrates_every_marked_vm_there_and_back(twin: TwinHarness) -> None:
    before = _placement(twin)
    outcome = twin.run_suite(SUITE, [], *_flags(twin))
    assert not outcome.failed and not outcome.skipped, outcome.summary()
    assert outcome.passed == {CHECK.format(VM1), CHECK.format(VM4)}, outcome.summary()
    assert _placement(twin) == before


@pytest.mark.parametrize("entry", list(DESTRUCTIVE_CATALOGUE))
def test_fault_turns_exactly_its_migration_check_red(twin: TwinHarness, entry: str) -> None:
    name, *args = entry.split()
    before = _placement(twin)
    outcome = twin.run_suite(SUITE, [(name, args)], *_flags(twin))
    expected = {k.removeprefix("xenmotion/"): v for k, v in DESTRUCTIVE_CATALOGUE[entry].items()}
    assert set(outcome.failed) == set(expected), outcome.summary()
    for check, words in expected.items():
        assert outcome.failed[check].startswith(words), f"{check}: {outcome.failed[check]!r}"
        if entry in DESTRUCTIVE_LOSS_ROWS:
            assert "pings lost at a 1 s interval" in outcome.failed[check], outcome.failed[check]
    assert _placement(twin) == before, "the run did not put every VM back where it started"


def test_sigterm_during_a_migration_restores_every_vm(twin: TwinHarness, tmp_path) -> None:
    """The signal may land inside an XML-RPC call; the restore's calls on the same session still go through
    (the transport drops a connection an interrupt left half-used: tests/test_xapi_transport_interrupt.py)."""
    before = _placement(twin)
    proc = start_pytest(SUITE, f"--inventory={twin.inventory.source}", "-q", *_flags(twin))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(v.operation for v in twin.lab.vms.values()):
            time.sleep(0.02)
        assert any(v.operation for v in twin.lab.vms.values()), "no migration started"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, out
    assert _placement(twin) == before, out
    assert not any(v.operation for v in twin.lab.vms.values())


def test_a_lab_held_by_another_destructive_run_is_refused(twin: TwinHarness) -> None:
    """The one lab lock (xenlab/lablock.py) HA's drills take too: while another run holds it, nothing migrates."""
    from xenlab.lablock import LabLock

    other = LabLock(twin.inventory.lab.name)
    other.acquire()
    try:
        outcome = twin.run_suite(SUITE, [], *_flags(twin))
    finally:
        other.release()
    assert set(outcome.failed) == {CHECK.format(VM1), CHECK.format(VM4)}, outcome.summary()
    for message in outcome.failed.values():
        assert message.startswith(f"{twin.inventory.lab.name}: a destructive run already holds this lab"), message
