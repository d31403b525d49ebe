"""Checks follow the inventory: a lab that differs on purpose says so in its inventory, and the suites follow.

Two ways each: the same running twin judged by an inventory with other expectations (the checks
that differ fail, naming the object; checks that do not apply are not generated), and a twin
built from that inventory, which passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import TwinHarness, edited_inventory, expectations_copy, lab_copy, start_harness, stop_harness

BONDS = "suites/network/test_bonds.py"
PORT_CHANNELS = "suites/network/test_port_channels.py"
DOM0 = "suites/pool/test_dom0.py"
SERVICES = ["xapi", "sshd", "ntpd"]  # a XenServer 7 lab's list: ntpd, where the workshop's twin runs chronyd


def _static_channels(data: dict) -> None:
    """Po1 and Po2 (the hosts') static (mode on), the hosts' bonds balance-slb (no LACP on either end)."""
    for pc in data["switches"][0]["port_channels"]:
        if pc["peer"] in ("xen1", "xen2"):
            pc["mode"] = "on"
    data["bond"]["mode"] = "balance-slb"


def _active_backup(data: dict) -> None:
    _static_channels(data)
    data["bond"]["mode"] = "active-backup"


def test_mode_on_port_channels_are_judged_static(twin: TwinHarness, tmp_path: Path) -> None:
    inventory = expectations_copy(tmp_path, "static", _static_channels)
    outcome = twin.run_expecting(PORT_CHANNELS, inventory)
    assert outcome.failed == {
        f"test_port_channels.py::test_port_channel_mode[Po{n}]": f"Po{n}: Gi1/0/{m} channel-group mode is active, "
        f"expected on; Gi2/0/{m} channel-group mode is active, expected on"
        for n, m in ((1, 13), (2, 14))
    }, outcome.summary()
    ran = set(outcome.failed) | outcome.passed
    assert {n for n in ran if "test_lacp_partner" in n} == {"test_port_channels.py::test_lacp_partner[Po3]"}
    assert not outcome.skipped, outcome.summary()


def test_passive_port_channels_are_judged_passive(twin: TwinHarness, tmp_path: Path) -> None:
    def passive(data: dict) -> None:
        data["switches"][0]["port_channels"][2]["mode"] = "passive"

    outcome = twin.run_expecting(PORT_CHANNELS, expectations_copy(tmp_path, "passive", passive))
    assert outcome.failed == {
        "test_port_channels.py::test_port_channel_mode[Po3]": "Po3: Gi1/0/24 channel-group mode is active, expected "
        "passive; Gi2/0/24 channel-group mode is active, expected passive"
    }, outcome.summary()


def test_active_backup_bonds_are_judged_active_backup(twin: TwinHarness, tmp_path: Path) -> None:
    inventory = expectations_copy(tmp_path, "ab", _active_backup)
    bonds, dom0 = twin.run_expecting(BONDS, inventory), twin.run_expecting(DOM0, inventory)
    assert bonds.failed == {
        f"test_bonds.py::test_bond_mode[{h}]": f"{h}: bond mode is lacp, expected active-backup"
        for h in ("xen1", "xen2")
    }, bonds.summary()
    assert not [n for n in bonds.passed if "test_bond_hashing" in n]  # hashing is an LACP bond's
    assert dom0.failed == {
        f"test_dom0.py::test_bond_state[{h}]": f"{h}: bond0 bond_mode is balance-slb, expected active-backup"
        for h in ("xen1", "xen2")
    }, dom0.summary()


def test_another_dom0_service_list_is_checked(twin: TwinHarness, tmp_path: Path) -> None:
    def services(data: dict) -> None:
        data["dom0"] = {"services": SERVICES}

    outcome = twin.run_expecting(DOM0, expectations_copy(tmp_path, "svc", services), "-k", "test_service_running")
    ran = set(outcome.failed) | outcome.passed
    assert ran == {f"test_dom0.py::test_service_running[{h}-{s}]" for h in ("xen1", "xen2") for s in SERVICES}
    assert outcome.failed == {
        f"test_dom0.py::test_service_running[{h}-ntpd]": f"{h}: ntpd is not running" for h in ("xen1", "xen2")
    }, outcome.summary()


@pytest.fixture(scope="module")
def static_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TwinHarness, Path]]:
    """A twin built from an inventory of static port-channels and active-backup bonds (127.23.x, lab xlstatic)."""
    folder = tmp_path_factory.mktemp("static-lab")
    copy = lab_copy(folder, 23, "xlstatic")
    inventory = edited_inventory(copy, copy.parent, "xlstatic", _active_backup)
    harness = start_harness(tmp_path_factory.mktemp("static-runs"), inventory)
    try:
        yield harness, inventory
    finally:
        stop_harness(harness)


@pytest.mark.parametrize("suite", [PORT_CHANNELS, BONDS, DOM0])
def test_a_lab_built_as_its_inventory_says_passes(static_twin: tuple[TwinHarness, Path], suite: str) -> None:
    harness, _ = static_twin
    outcome = harness.run_suite(suite)
    assert not outcome.failed and outcome.passed, outcome.summary()
    assert not outcome.skipped, outcome.summary()
