"""HA failover against the tests' twin: the drill fences a host, HA restarts its protected VMs on the
survivor, the restore brings everything back; by switch ports and by IPMI; a VM that cannot restart
fails the drill naming it; Ctrl-C or SIGTERM during the wait still restores the lab."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.children import start_pytest
from tests.harness import TwinHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="HA heartbeats and pings need the data plane (root)")
DRILL = "suites/ha/test_failover.py"


def _destructive(twin: TwinHarness) -> list[str]:
    return ["--allow-destructive", f"--lab-name={twin.inventory.lab.name}", "-m", "destructive"]


def _state(twin: TwinHarness) -> tuple:
    lab = twin.lab
    with lab.lock:
        ports = {n: i.shutdown for sw in lab.switches.values() for n, i in sw.interfaces.items()}
        return (
            lab.pool.master,
            {v.name: (v.power_state, v.resident_on) for v in lab.vms.values()},
            {h.name: (h.powered, h.ha_live, h.enabled) for h in lab.hosts.values()},
            ports,
        )


@pytest.mark.parametrize("method", ["switch-ports", "ipmi"])
def test_master_failure_restarts_its_vms_and_restores(twin: TwinHarness, method: str) -> None:
    before = _state(twin)
    outcome = twin.run_suite(
        DRILL, [], *_destructive(twin), "-k", "test_host_failure and xen1", f"--fence-method={method}"
    )
    assert outcome.passed == {"test_failover.py::test_host_failure[xen1]"}, outcome.summary() + outcome.output[-3000:]
    assert _state(twin) == before
    log = [text for _, text in twin.lab.ha.log]
    assert any(text == "xen2 became master" for text in log), log
    assert any(text.startswith("CentOS6.5-test1 restarted on xen2") for text in log), log


def test_vm_that_does_not_restart_fails_the_drill(twin: TwinHarness) -> None:
    outcome = twin.run_suite(
        DRILL, [("vm-disk-locked", ["CentOS6.5-test1"])], *_destructive(twin), "-k", "test_host_failure and xen1"
    )
    message = outcome.failed.get("test_failover.py::test_host_failure[xen1]", "")
    assert message.startswith("CentOS6.5-test1: not running on a survivor"), outcome.summary()
    assert "CentOS6.5-test2" not in message, message


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_drill_still_restores(twin: TwinHarness, sig: signal.Signals) -> None:
    before = _state(twin)
    proc = start_pytest(
        DRILL,
        f"--inventory={twin.inventory.source}",
        "-q",
        *_destructive(twin),
        "-k",
        "test_host_failure and xen1",
    )
    try:
        deadline = time.monotonic() + 60
        while not any(text.endswith("declared dead") for _, text in twin.lab.ha.log[-20:]):
            assert proc.poll() is None and time.monotonic() < deadline, "the drill never fenced xen1"
            time.sleep(0.2)
        proc.send_signal(sig)  # during the wait for the restarts
        output, _ = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, output
    twin.twin.settle()
    assert _state(twin) == before, output[-3000:]
