"""Every switch check of suites/network can fail: inject a fault, run the suite, see exactly that check fail.

Some faults legitimately show in checks of other modules too: a member port shut, a stack member
gone or LACP not forming show on the host end of the same cables (suites/network/test_bonds.py), a
VLAN taken off a trunk stops that host's packets (test_jumbo.py). ``also`` pins exactly those checks
of the cable's far end, and each of their messages must name the host; nothing else may fail.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUITE = "suites/network"
SWITCH_CHECKS = ("test_stack.py", "test_vlans.py", "test_port_channels.py", "test_trunks.py", "test_load_balance.py")
SW = "cisco-stack"


@dataclass(frozen=True)
class Case:
    fault: str
    args: tuple[str, ...]
    fails: dict[str, str]  # test id -> text its message must contain (the object it names)
    also: dict[str, str] = field(default_factory=dict)  # checks outside the switch's: id -> host it names


def _po_down(po: str) -> dict[str, str]:
    return {f"test_port_channels.py::test_port_channel_bundled[{po}]": po,
            f"test_port_channels.py::test_lacp_partner[{po}]": po}


CASES = [
    Case("switch-member-shutdown", (SW, "Gi2/0/13"), {
        "test_port_channels.py::test_port_channel_bundled[Po1]": "Po1: member Gi2/0/13 is down (D), expected bundled",
        "test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
    }, {"test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1"}),
    Case("lacp-passive", (SW, "Po1"), {
        "test_port_channels.py::test_port_channel_in_use[Po1]": "Po1: flags SD, expected in use (SU)",
        "test_port_channels.py::test_port_channel_bundled[Po1]": "Po1: member Gi1/0/13 is stand-alone (I)",
        "test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi1/0/13, Gi2/0/13",
    }, {"test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "test_jumbo.py::test_jumbo_echo[xen1]": "xen1"}),
    Case("member-mismatch", (SW, "Gi2/0/13", "99"), {
        "test_port_channels.py::test_port_channel_bundled[Po1]":
            "Po1: member Gi2/0/13 is suspended (s), expected bundled (P)",
    }, {"test_bonds.py::test_bond_links_up[xen1]": "xen1"}),
    Case("member-removed", (SW, "Gi2/0/13"), {
        "test_port_channels.py::test_port_channel_bundled[Po1]": "Po1: member Gi2/0/13 is not in the port-channel",
        "test_port_channels.py::test_port_channel_spans_stack[Po1]": "Po1: members Gi1/0/13 are on stack member(s) 1",
        "test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
    }, {"test_bonds.py::test_bond_links_up[xen1]": "xen1"}),
    Case("trunk-vlan-removed", ("cisco-stack", "Po1", "20"), {
        "test_trunks.py::test_trunk_allowed_vlans[Po1]": "Po1: trunk does not allow VLAN 20 (Storage), used by xen1",
    }, {"test_jumbo.py::test_jumbo_echo[xen1]": "xen1"}),
    Case("native-vlan-changed", (SW, "Po2", "99"), {
        "test_trunks.py::test_trunk_native_vlan[Po2]": "Po2: native VLAN 99, expected 5",
    }),
    Case("vlan-deleted", (SW, "30"), {
        "test_vlans.py::test_vlan_exists[30]": "VLAN 30 (Data-VLAN): missing from cisco-stack",
    }),
    Case("vlan-suspended", (SW, "10"), {
        "test_vlans.py::test_vlan_active[10]": "VLAN 10 (XenMotion-VLAN): status suspended, expected active",
    }),
    Case("svi-shutdown", (SW, "20"), {
        "test_vlans.py::test_svi_up[20]": "Vlan20: SVI is administratively down/down, expected up/up",
    }),
    Case("stack-member-not-ready", (SW, "2"), {
        "test_stack.py::test_stack_member_ready[2]": "cisco-stack: stack member 2 is Provisioned, expected Ready",
        **_po_down("Po1"), **_po_down("Po2"), **_po_down("Po3"),
    }, {"test_bonds.py::test_bond_links_up[xen1]": "xen1", "test_bonds.py::test_bond_links_up[xen2]": "xen2",
        "test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1",
        "test_bonds.py::test_bond_slave_carrier[xen2-eth1]": "xen2"}),
    Case("load-balance", (SW, "dst-ip"), {
        "test_load_balance.py::test_load_balance[cisco-stack]":
            "cisco-stack: port-channel load-balance is dst-ip, expected src-mac",
    }),
]


def _is_switch_check(node: str) -> bool:
    return node.split("::")[0] in SWITCH_CHECKS


def test_healthy_twin_passes_the_switch_checks(twin):
    outcome = twin.healthy(SUITE)
    switch_failures = {k: v for k, v in outcome.failed.items() if _is_switch_check(k)}
    assert not switch_failures, outcome.summary()
    assert any(_is_switch_check(p) for p in outcome.passed), outcome.summary()


@pytest.mark.parametrize("case", CASES, ids=[c.fault for c in CASES])
def test_fault_fails_exactly_its_checks(twin, case: Case):
    outcome = twin.run_suite(SUITE, faults=[(case.fault, list(case.args))])
    switch_failures = {k: v for k, v in outcome.failed.items() if _is_switch_check(k)}
    assert set(switch_failures) == set(case.fails), outcome.summary()
    for node, text in case.fails.items():
        assert text in switch_failures[node], f"{node}: message {switch_failures[node]!r} lacks {text!r}"
    others = {k: v for k, v in outcome.failed.items() if not _is_switch_check(k)}
    # Packet checks observe only with the data plane (root); without it they skip.
    also = {k: v for k, v in case.also.items() if os.geteuid() == 0 or "test_jumbo.py" not in k}
    assert set(others) == set(also), outcome.summary()
    for node, host in also.items():
        assert host in others[node], f"{node}: message {others[node]!r} does not name {host}"


SWITCH_FAULTS = ["switch-member-shutdown", "lacp-passive", "member-mismatch", "member-removed", "native-vlan-changed",
                 "vlan-deleted", "vlan-suspended", "svi-shutdown", "stack-member-not-ready", "load-balance"]


@pytest.mark.parametrize("name", SWITCH_FAULTS)
def test_fault_example_injects_and_heals_exactly(name):
    import copy

    from simlab.faults.registry import REGISTRY
    from simlab.ios.render import show_running_config
    from simlab.model.build import build_lab
    from xenlab.inventory import load_inventory

    inv = load_inventory(Path(__file__).parent / "inventories" / "twin.yml")
    lab = build_lab(inv)
    stack = lab.switches[SW]
    before = (show_running_config(stack), copy.deepcopy(stack.members), copy.deepcopy(stack.vlans),
              {h: copy.deepcopy(host.bond) for h, host in lab.hosts.items()})
    lab.faults.inject(name, REGISTRY[name].example(inv))
    changed = (show_running_config(stack), stack.members, stack.vlans, {h: host.bond for h, host in lab.hosts.items()})
    assert changed != before, f"{name} changed nothing"
    lab.faults.heal(name)
    after = (show_running_config(stack), stack.members, stack.vlans, {h: host.bond for h, host in lab.hosts.items()})
    assert after == before
