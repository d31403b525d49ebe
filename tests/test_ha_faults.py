"""Every HA check can fail: each HA fault turns exactly its check red, naming the object.

The configuration checks run against the tests' twin with the fault injected (the twin settles first:
a fault whose consequence HA works out by itself, like a cut heartbeat network, has played out).
"""

from __future__ import annotations

import os

import pytest

from tests.harness import TwinHarness, check_outcome

SUITE = "suites/ha/test_config.py"
VM = "CentOS6.5-test4"

CASES: list[tuple[str, list[str], dict[str, str]]] = [
    ("ha-disabled", [], {"test_config.py::test_ha_enabled": "pool lab: HA is disabled, expected enabled"}),
    (
        "ha-failures-to-tolerate",
        ["0"],
        {"test_config.py::test_ha_failures_to_tolerate": "pool lab: HA tolerates 0 host failures, expected at least 1"},
    ),
    (
        "ha-no-capacity",
        ["xen2"],
        {
            "test_config.py::test_ha_plan_exists": "pool lab: a failover plan exists for 0 host failures and HA is "
            "overcommitted"
        },
    ),
    (
        "vm-ha-unprotected",
        [VM],
        {f"test_config.py::test_vm_restart_priority[{VM}]": f"{VM}: HA restart priority is 'unset (not protected)'"},
    ),
    (
        "vm-ha-order",
        [VM, "9"],
        {
            f"test_config.py::test_vm_restart_order[{VM}]": f"{VM}: restart order 9 with start delay 0s, "
            "expected order 1"
        },
    ),
    (
        "ha-statefile-sr-unshared",
        [],
        {"test_config.py::test_statefile_on_heartbeat_sr": "HeartBeat SR: holds the HA statefile but is not shared"},
    ),
]


def test_healthy_twin_passes_the_ha_configuration(twin: TwinHarness) -> None:
    outcome = twin.healthy(SUITE)
    assert not outcome.failed and not outcome.skipped, outcome.summary()
    assert outcome.passed


@pytest.mark.parametrize(("fault", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_ha_fault_fails_its_check(twin: TwinHarness, fault: str, args: list[str], expected: dict[str, str]) -> None:
    check_outcome(twin.run_suite(SUITE, [(fault, args)]), expected)


@pytest.mark.skipif(os.geteuid() != 0, reason="HA heartbeats need the data plane (root)")
def test_cut_heartbeat_network_fences_the_partition_loser(twin: TwinHarness) -> None:
    """The management VLAN off xen2's trunk: storage still seen by both, a tie; the lowest host UUID (xen1
    in the tests' lab) survives, xen2 fences itself by the survival rules and cannot rejoin."""
    outcome = twin.run_suite("suites", [("ha-heartbeat-cut", ["xen2"])])
    assert outcome.failed.get("pool/test_hosts.py::test_host_live[xen2]", "").startswith("xen2: host is not live"), (
        outcome.summary()
    )
    assert "ha/test_config.py::test_ha_plan_exists" in outcome.failed, outcome.summary()
    assert any("xen2 fenced itself" in text for _, text in twin.lab.ha.log), twin.lab.ha.log
