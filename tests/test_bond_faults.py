"""Every host-side bond check of suites/network/test_bonds.py can fail, each under its own fault.

Faults on a cable (a NIC down, a switch member shut) show on both ends: on the host, as the
bond's links_up and that slave's carrier, both stated below. The switch-side checks of the same
faults are proved in test_network_faults.py; this runs the host-side module alone.
"""

from __future__ import annotations

import pytest

from tests.harness import TwinHarness
from tests.test_pool_faults import assert_faults_undo, check_outcome

SUITE = "suites/network/test_bonds.py"

CASES: list[tuple[str, list[str], dict[str, str]]] = [
    ("bond-hashing", ["xen1", "tcpudp_ports"], {
        "test_bonds.py::test_bond_hashing[xen1]": "xen1: bond hashing is tcpudp_ports, expected src_mac"}),
    ("bond-mode", ["xen1", "balance-slb"], {
        "test_bonds.py::test_bond_mode[xen1]": "xen1: bond mode is balance-slb, expected lacp"}),
    ("bond-nics", ["xen1", "eth0"], {
        "test_bonds.py::test_bond_nics[xen1]": "xen1: bond is over eth0, expected eth0, eth1"}),
    ("host-nic-down", ["xen1", "eth1"], {
        "test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up",
        "test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1: bond slave eth1 has no carrier"}),
    ("switch-member-shutdown", ["cisco-stack", "Gi2/0/14"], {
        "test_bonds.py::test_bond_links_up[xen2]": "xen2: bond has 1 of 2 links up",
        "test_bonds.py::test_bond_slave_carrier[xen2-eth1]": "xen2: bond slave eth1 has no carrier"}),
    ("host-mtu", ["xen1", "Storage", "1500"], {
        "test_bonds.py::test_network_mtu[xen1-Storage]": "xen1: network Storage has MTU 1500, expected 9000"}),
    # A network's VLAN is a pool-wide object: every host's PIF on it moves.
    ("network-vlan", ["Data", "31"], {
        "test_bonds.py::test_network_vlan[xen1-Data]": "xen1: network Data is VLAN 31 over bond0, expected VLAN 30",
        "test_bonds.py::test_network_vlan[xen2-Data]": "xen2: network Data is VLAN 31 over bond0, expected VLAN 30"}),
]


def test_healthy_twin_passes_the_bond_checks(twin: TwinHarness) -> None:
    outcome = twin.healthy(SUITE)
    assert not outcome.failed, outcome.summary()
    assert len(outcome.passed) >= 2 * 8


@pytest.mark.parametrize(("fault", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fault_fails_its_check(twin: TwinHarness, fault: str, args: list[str], expected: dict[str, str]) -> None:
    check_outcome(twin.run_suite(SUITE, [(fault, args)]), expected)


def test_every_fault_undoes_exactly(twin: TwinHarness) -> None:
    assert_faults_undo(twin, CASES)
