"""The report's building blocks: the severity table, and the timeline table and plot suites attach."""

from __future__ import annotations

import csv
import io

import pytest

from xenlab.report import allure_categories, timeline_csv, timeline_plot
from xenlab.severity import severity_of


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("ha/test_failover.py::test_vms_restarted_on_survivor[vm01]", "blocker"),
        ("storage/test_iscsi.py::test_sr_attached[Shared iSCSI]", "blocker"),
        ("network/test_port_channels.py::test_port_channel_bundled[Po1]", "blocker"),
        ("pool/test_dom0.py::test_bond_state[xen1]", "blocker"),
        ("network/test_jumbo.py::test_oversize_echo_dropped[xen2]", "critical"),
        ("pool/test_dom0.py::test_storage_interface_mtu[xen1]", "critical"),
        ("xenmotion/test_migration.py::test_ping_loss[vm01]", "critical"),
        ("pool/test_pool.py::test_pool_name", "normal"),
    ],
)
def test_severity_table(check: str, expected: str) -> None:
    assert severity_of(check) == expected


def test_categories_tell_defect_unreachable_and_test_error_apart() -> None:
    names = [c["name"] for c in allure_categories()]
    assert names.index("Lab unreachable") < names.index("Lab defect")
    assert {"Known issue (waived)", "Lab defect", "Lab unreachable", "Test error"} <= set(names)


def test_timeline_csv_keeps_columns_in_order() -> None:
    rows = [{"t (s)": 0.0, "event": "cables pulled"}, {"t (s)": 41.5, "event": "vm01 up", "host": "xen2"}]
    table = list(csv.reader(io.StringIO(timeline_csv(rows))))
    assert table == [["t (s)", "event", "host"], ["0.0", "cables pulled", ""], ["41.5", "vm01 up", "xen2"]]


def test_timeline_plot_is_a_png_with_lost_points() -> None:
    png = timeline_plot(
        "ping", {"vm01": [(0.0, 0.4), (0.2, None), (0.4, 0.5)]}, ylabel="RTT (ms)", marks={"migrate": 0.1}
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
