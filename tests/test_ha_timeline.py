"""The failover timeline lays its events and the victims' pings out for xenlab.report (no twin)."""

from __future__ import annotations

from xenlab.ha.timeline import Timeline
from xenlab.pinger import Echo, PingReport


def test_rows_and_plot_with_the_pings_of_a_restarted_vm() -> None:
    timeline = Timeline("HA failover of xen1", start=100.0, started_wall=1000.0)
    timeline.add("fenced", "xen1", "switch-ports", at=1.0)
    timeline.add("restarted", "vm1", "on xen2", at=9.0)
    timeline.add("declared dead", "xen1", "host_metrics.live false", at=6.0)
    echoes = [Echo(i, 1000.0 + i * 0.5, i * 0.5, None if 3 <= i < 19 else 0.4) for i in range(24)]
    report = PingReport("10.0.30.1", 0.5, 1.0, 1000.0, echoes)
    assert [row["event"] for row in timeline.rows()] == ["fenced", "declared dead", "restarted"]
    assert timeline.rows()[1] == {
        "t (s)": 6.0,
        "event": "declared dead",
        "object": "xen1",
        "detail": "host_metrics.live false",
    }
    png = timeline.plot(4, {"vm1": report})
    assert png is not None and png.startswith(b"\x89PNG")
