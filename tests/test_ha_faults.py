"""Every HA check can fail: each HA fault turns exactly its check red, naming the object.

The configuration checks run against the tests' twin with the fault injected (the twin settles first:
a fault whose consequence HA works out by itself, like a cut heartbeat network, has played out).
"""

from __future__ import annotations

import os
import time

import pytest
import XenAPI

from simlab.ha.statefile import BLOCK, decode
from tests.harness import TwinHarness, check_outcome
from xenlab.xapi import connect

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


def _ha_face(twin: TwinHarness):  # -> simlab.faces.ha.HaFace
    return next(face for face in twin.twin.faces if face.name == "ha")


def _until(condition, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.skipif(os.geteuid() != 0, reason="the statefile is on the real iSCSI target (root)")
def test_statefile_is_written_on_the_heartbeat_lun_over_each_hosts_session(twin: TwinHarness) -> None:
    """Read back through xen2's own session what every xhad wrote: the pool block and a slot per host."""
    face, lab = _ha_face(twin), twin.lab
    twin.twin.settle()
    dev = lab.iscsi.device("xen2", lab.ha_statefiles()[0])

    def written() -> tuple[dict | None, list[dict | None]]:
        slots = [decode(dev.read(BLOCK * (1 + p.index), BLOCK)) for p in face.peers]
        return decode(dev.read(0, BLOCK)), slots

    def as_expected() -> bool:
        pool, slots = written()
        master = lab.hosts[lab.pool.master].uuid
        return (
            pool is not None
            and pool.get("generation") == face.generation
            and pool.get("master") == master
            and all(
                s is not None and s.get("host") == p.uuid and s.get("state") == "online"
                for p, s in zip(face.peers, slots, strict=True)
            )
        )

    # A host fenced by an earlier test may still be joining: its slot says so until the master admits it.
    assert _until(as_expected, 8 * lab.pool.ha_timeout_s), written()


@pytest.mark.skipif(os.geteuid() != 0, reason="the statefile is on the real iSCSI target (root)")
def test_stopped_target_cuts_every_storage_heartbeat_and_all_survive_by_rule_2(twin: TwinHarness) -> None:
    """No flag: the hosts' SCSI commands to the stopped target fail, so every xhad loses the statefile; they
    still hear each other, so none fences. With the target back, the sessions recover and so does the
    storage heartbeat."""
    lab, views = twin.lab, twin.lab.ha.daemons
    twin.twin.settle()
    fenced = {name: view.fenced_count for name, view in views.items()}
    lab.faults.inject("target-stopped", [])
    try:
        lost = _until(lambda: not any(v.sees_statefile for v in views.values()), 6 * lab.pool.ha_timeout_s)
        assert lost, {name: v.sees_statefile for name, v in views.items()}
        time.sleep(3 * lab.pool.ha_timeout_s)  # longer than any watchdog: rule 2 keeps kicking them
        assert all(v.state == "online" for v in views.values()), ({n: v.state for n, v in views.items()}, lab.ha.log)
    finally:
        lab.faults.heal()
    back = _until(lambda: all(v.sees_statefile for v in views.values()), 6 * lab.pool.ha_timeout_s + 10)
    assert back, {name: v.sees_statefile for name, v in views.items()}
    twin.twin.settle()
    assert {name: view.fenced_count for name, view in views.items()} == fenced


@pytest.mark.skipif(os.geteuid() != 0, reason="the statefile is on the real iSCSI target (root)")
def test_enable_ha_refuses_a_host_that_cannot_read_the_statefile(twin: TwinHarness) -> None:
    """pool.enable_ha with xen2's storage VLAN off its trunk: xen2's xhad cannot read the statefile over its own
    session, so the enable fails with HA_HOST_CANNOT_ACCESS_STATEFILE and leaves HA off, as xapi does; with the
    VLAN back it succeeds."""
    lab = twin.lab
    twin.settle()
    with connect(twin.inventory) as session:
        x = session.xenapi
        pool, sr = x.pool.get_all()[0], x.SR.get_by_name_label("HeartBeat SR")[0]
        config = {"timeout": str(lab.pool.ha_timeout_s)}
        x.pool.disable_ha()
        try:
            lab.faults.inject("trunk-vlan-removed", ["cisco-stack", "Po2", "20"])
            twin.settle()
            with pytest.raises(XenAPI.Failure) as refused:
                x.pool.enable_ha([sr], config)
            assert refused.value.details == ["HA_HOST_CANNOT_ACCESS_STATEFILE"]
            assert x.pool.get_ha_enabled(pool) is False and x.pool.get_ha_statefiles(pool) == []
        finally:
            lab.faults.heal()

            def enabled() -> bool:  # xen2's session recovers on the storage face's next health pass
                try:
                    x.pool.enable_ha([sr], config)
                except XenAPI.Failure:
                    return False
                return True

            assert _until(enabled, 30), "HA could not be enabled again with the VLAN back"
        assert x.pool.get_ha_enabled(pool) is True
    twin.settle()
