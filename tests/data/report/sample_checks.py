"""A small acceptance run for the report's browser test: passes, one failure with evidence, a timeline plot.

Collected only when named (tests/data is not a test path); it touches no lab.
"""

from __future__ import annotations

import allure
import pytest

from xenlab.report import attach_timeline, timeline_plot


@pytest.mark.parametrize("host", ["xen1", "xen2"])
def test_host_enabled(host: str) -> None:
    assert host


def test_port_channel_bundled() -> None:
    allure.attach(
        "Po1(SU) LACP Gi1/0/13(P) Gi2/0/13(s)",
        name="cisco-stack# show etherchannel summary",
        attachment_type=allure.attachment_type.TEXT,
    )
    raise AssertionError("Po1: member Gi2/0/13 is suspended (s), expected bundled (P)")


def test_failover_timeline() -> None:
    rows = [{"t (s)": 0.0, "event": "xen1 cables pulled"}, {"t (s)": 41.5, "event": "vm01 running on xen2"}]
    points = [(t / 10, None if 20 <= t < 24 else 0.4) for t in range(60)]
    png = timeline_plot(
        "ping vm01 during failover", {"vm01 RTT": points}, ylabel="RTT (ms)", marks={"cables pulled": 0.0}
    )
    attach_timeline("HA failover xen1", rows, plot=png)


@pytest.mark.parametrize("vm", ["vm02"])
def test_vm_running(vm: str) -> None:
    raise AssertionError(f"{vm}: VM is halted, expected running")
