"""The switch parsers read real Catalyst output and the twin's output alike (one parsing path: parse_output).

Real outputs are in tests/data/ios (Apache-2.0, see its README); the twin's are rendered from the
model built from the tests' inventory, with no SSH involved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simlab.ios.config import GLOBAL, apply_line
from simlab.ios.show import show
from simlab.ios.words import Words
from simlab.model.build import build_lab
from xenlab.inventory import load_inventory
from xenlab.switch.facts import collect_switch_facts, lacp_mode
from xenlab.switch.parse import ParseError, parse_output

DATA = Path(__file__).parent / "data" / "ios"
INVENTORY = Path(__file__).parent / "inventories" / "twin.yml"


def sample(name: str) -> str:
    return (DATA / name).read_text()


# -- real outputs ---------------------------------------------------------------------------------
def test_real_etherchannel_summary_catalyst():
    rows = parse_output("show etherchannel summary", sample("genie_show_etherchannel_summary_catalyst.txt"))
    assert [(r["bundle_name"], r["bundle_status"], r["bundle_protocol"]) for r in rows] == [("Po10", "SU", "PAgP")]
    assert rows[0]["member_interface"] == ["Gi1/0/15", "Gi1/0/16", "Gi1/0/17"]


def test_real_etherchannel_summary_lacp():
    rows = parse_output("show etherchannel summary", sample("ntc_show_etherchannel_summary.txt"))
    assert len(rows) == 6 and rows[0]["member_interface_status"] == ["P"] * 4


def test_real_interfaces_trunk_merges_its_sections_by_port():
    rows = {r["port"]: r for r in parse_output("show interfaces trunk", sample("genie_show_interfaces_trunk.txt"))}
    assert list(rows) == ["Gi1/0/4", "Gi1/0/23", "Gi1/0/24", "Po12", "Po14"]
    assert rows["Po12"]["native_vlan"] == "1" and rows["Po12"]["allowed_vlans"] == ["100-110"]
    assert rows["Po14"]["active_vlans"] == ["200-211, 300-302"]
    assert rows["Gi1/0/24"]["forwarding_vlans"] == ["none"]


def test_real_lacp_neighbor():
    rows = parse_output("show lacp neighbor", sample("genie_show_lacp_neighbor.txt"))
    assert [(r["group"], r["port"], r["flags"]) for r in rows][:3] == [
        ("1", "Gi2", "SA"),
        ("1", "Gi3", "SA"),
        ("2", "Gi4", "SP"),
    ]
    assert {r["dev_id"] for r in rows} == {"001e.49ff.a3e6"}


def test_real_system_mtu():
    assert parse_output("show system mtu", sample("genie_show_system_mtu.txt"))[0]["system_mtu"] == "1500"


def test_real_switch_stack():
    rows = parse_output("show switch", sample("ntc_show_switch_stack.txt"))
    assert [(r["switch"], r["role"], r["state"]) for r in rows] == [("1", "Active", "Ready"), ("2", "Standby", "Ready")]


def test_real_switch_with_v_mismatch_member_is_one_clear_error():
    # ntc-templates reads a state as one word; a V-Mismatch member is reported, not silently dropped.
    with pytest.raises(ParseError, match="'show switch': output not in the expected format"):
        parse_output("show switch", sample("genie_show_switch_c3850.txt"))


@pytest.mark.parametrize("name", ["genie_show_vlan.txt", "ntc_show_vlan.txt"])
def test_real_vlan(name):
    rows = {r["vlan_id"]: r for r in parse_output("show vlan", sample(name))}
    assert rows["1"]["vlan_name"] == "default" and rows["1"]["status"] == "active"


def test_real_interfaces_mtu():
    rows = parse_output("show interfaces", sample("ntc_show_interfaces_po_mtu9216.txt"))
    assert rows[0]["interface"] == "Port-channel1" and rows[0]["mtu"] == "9216"


def test_real_interfaces_switchport():
    raw = sample("ntc_show_interfaces_switchport.txt")
    rows = {r["interface"]: r for r in parse_output("show interfaces switchport", raw)}
    assert rows["Gi0/1"]["admin_mode"] == "trunk" and rows["Gi0/1"]["trunking_vlans"] == ["ALL"]
    assert rows["Gi0/2"]["access_vlan"] == "100"


# -- the twin's outputs, through the same function -------------------------------------------------
@pytest.fixture(scope="module")
def lab():
    return build_lab(load_inventory(INVENTORY))


def render(lab, command: str) -> str:
    words = Words(command)
    words.keyword("show")
    return show(lab, lab.switches["cisco-stack"], words)


def test_twin_etherchannel_summary(lab):
    rows = parse_output("show etherchannel summary", render(lab, "show etherchannel summary"))
    assert [(r["bundle_name"], r["bundle_status"], r["bundle_protocol"]) for r in rows] == [
        ("Po1", "SU", "LACP"),
        ("Po2", "SU", "LACP"),
        ("Po3", "SU", "LACP"),
    ]
    assert rows[0]["member_interface"] == ["Gi1/0/13", "Gi2/0/13"] and rows[0]["member_interface_status"] == ["P", "P"]


def test_twin_interfaces_trunk(lab):
    rows = {r["port"]: r for r in parse_output("show interfaces trunk", render(lab, "show interfaces trunk"))}
    assert rows["Po1"]["allowed_vlans"] == ["5,10,20,30"] and rows["Po1"]["native_vlan"] == "5"
    assert rows["Po3"]["active_vlans"] == ["5,10,20"]


def test_twin_lacp_neighbor(lab):
    rows = parse_output("show lacp neighbor", render(lab, "show lacp neighbor"))
    assert [r["port"] for r in rows] == ["Gi1/0/13", "Gi2/0/13", "Gi1/0/14", "Gi2/0/14", "Gi1/0/24", "Gi2/0/24"]
    assert all(r["flags"] == "SA" and r["port_state"] == "0x3D" for r in rows)


@pytest.mark.parametrize(
    "command, key, expected",
    [
        ("show version", "hardware", ["WS-C3650-24TS", "WS-C3650-24TS"]),
        ("show switch", "state", "Ready"),
        ("show vlan", "vlan_name", "default"),
        ("show vlan brief", "vlan_name", "default"),
        ("show interfaces", "mtu", "9198"),
        ("show interfaces Po1", "interface", "Port-channel1"),
        ("show interfaces status", "port", "Gi1/0/1"),
        ("show interfaces switchport", "interface", "Gi1/0/1"),
        ("show ip interface brief", "interface", "Vlan5"),
        ("show etherchannel load-balance", "load_balance", "src-mac"),
        ("show system mtu", "system_mtu", "9198"),
        ("show running-config interface Gi1/0/13", "channel_group", "1"),
    ],
)
def test_twin_show_commands_parse(lab, command, key, expected):
    rows = parse_output(command, render(lab, command))
    assert rows and rows[0][key] == expected


class RecordedClient:
    """A client that answers from rendered output: collect_switch_facts without SSH."""

    def __init__(self, lab) -> None:
        self.name, self.lab, self.raw = "cisco-stack", lab, {}

    def parsed(self, command: str):
        self.raw[command] = render(self.lab, command)
        return parse_output(command, self.raw[command])


def test_twin_facts(lab):
    facts = collect_switch_facts(RecordedClient(lab))
    assert {n: m.state for n, m in facts.members.items()} == {1: "Ready", 2: "Ready"}
    assert facts.vlans[20].name == "Storage-VLAN" and facts.svis[20].protocol == "up"
    assert facts.port_channels["Po3"].members == {"Gi1/0/24": "P", "Gi2/0/24": "P"}
    assert facts.switchports["Po1"].allowed == [5, 10, 20, 30] and facts.switchports["Po1"].native_vlan == 5
    assert facts.lacp["Gi2/0/13"].present and facts.load_balance == "src-mac" and facts.system_mtu == 9198
    assert "show lacp neighbor" in facts.to_dict()["raw"]
    assert facts.port_channels["Po1"].modes == {"Gi1/0/13": "active", "Gi2/0/13": "active"}


def test_real_lacp_internal_flags_give_each_members_mode():
    """IOS: "A - Device is in Active mode  P - Device is in Passive mode", after S/F (the LACPDU rate)."""
    rows = parse_output("show lacp internal", sample("genie_show_lacp_internal.txt"))
    assert {r["port"]: lacp_mode(r["flags"]) for r in rows} == dict.fromkeys(
        ["Gi2", "Gi3", "Gi4", "Gi5", "Gi6"], "active"
    )
    assert [lacp_mode(f) for f in ("SP", "FP", "FA", "")] == ["passive", "passive", "active", ""]


def test_passive_members_and_static_channels_read_as_their_mode():
    lab = build_lab(load_inventory(INVENTORY))
    lab.faults.inject("lacp-passive", ["cisco-stack", "Po1"])
    facts = collect_switch_facts(RecordedClient(lab))
    assert facts.port_channels["Po1"].modes == {"Gi1/0/13": "passive", "Gi2/0/13": "passive"}
    assert facts.port_channels["Po1"].members == {"Gi1/0/13": "P", "Gi2/0/13": "P"}  # the host's bond is active
    lab.faults.heal()
    stack, mode = lab.switches["cisco-stack"], GLOBAL
    for line in ("interface range Gi1/0/14, Gi2/0/14", "channel-group 2 mode on"):
        mode = apply_line(stack, mode, line)
    assert collect_switch_facts(RecordedClient(lab)).port_channels["Po2"].modes == {"Gi1/0/14": "on", "Gi2/0/14": "on"}
