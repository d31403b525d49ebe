"""Switch facts: everything the network suite asserts about a switch, gathered once per session.

Plain dataclasses of str/int/list/dict, so ``to_dict()`` is JSON and facts can be saved and diffed.
``raw`` keeps each command's output as report evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from xenlab.ifname import parse_port
from xenlab.switch.client import SwitchClient
from xenlab.switch.vlans import parse_vlan_list

COMMANDS = (
    "show switch",
    "show vlan brief",
    "show ip interface brief",
    "show etherchannel summary",
    "show lacp neighbor",
    "show lacp internal",
    "show interfaces trunk",
    "show interfaces switchport",
    "show etherchannel load-balance",
    "show system mtu",
)
NO_PARTNER = "0000.0000.0000"
STATIC = "-"  # the protocol show etherchannel summary gives a channel of mode on
# IOS-XE routers spell member flags as words; the checks speak Catalyst letters.
MEMBER_FLAGS = {"bndl": "P", "hot-sby": "H", "susp": "s", "stand-alone": "I", "indep": "I", "down": "D"}


@dataclass
class StackMemberFact:
    number: int
    role: str
    state: str


@dataclass
class VlanFact:
    id: int
    name: str
    status: str


@dataclass
class SviFact:
    name: str  # Vlan5
    ip_address: str
    status: str
    protocol: str


@dataclass
class PortChannelFact:
    name: str  # Po1
    group: int
    flags: str  # SU
    protocol: str  # LACP
    members: dict[str, str]  # short port name -> flag (P, s, I, D, ...)
    # short port name -> its channel-group mode: active | passive (LACP, from the A/P of its ``show lacp
    # internal`` flags), on (a static channel), PAgP; "" when IOS did not say
    modes: dict[str, str] = field(default_factory=dict)


@dataclass
class LacpNeighborFact:
    port: str
    group: int
    flags: str
    dev_id: str
    port_state: str

    @property
    def present(self) -> bool:
        return self.dev_id != NO_PARTNER


@dataclass
class TrunkFact:
    port: str  # Po1 or a stand-alone trunk port
    status: str
    native_vlan: int
    allowed: list[int]
    active: list[int]


@dataclass
class SwitchportFact:
    """An L2 port's configured mode and VLANs (from ``show interfaces switchport``; not link state)."""

    port: str
    admin_mode: str
    oper_mode: str
    access_vlan: int
    native_vlan: int
    allowed: list[int]


@dataclass
class SwitchFacts:
    name: str
    members: dict[int, StackMemberFact] = field(default_factory=dict)
    vlans: dict[int, VlanFact] = field(default_factory=dict)
    svis: dict[int, SviFact] = field(default_factory=dict)
    port_channels: dict[str, PortChannelFact] = field(default_factory=dict)
    lacp: dict[str, LacpNeighborFact] = field(default_factory=dict)
    trunks: dict[str, TrunkFact] = field(default_factory=dict)
    switchports: dict[str, SwitchportFact] = field(default_factory=dict)
    load_balance: str = ""
    system_mtu: int = 0
    raw: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short(name: str) -> str:
    try:
        return parse_port(name).short
    except ValueError:
        return name


def _vlans(chunks: list[str]) -> list[int]:
    return sorted(parse_vlan_list(",".join(chunks)))


def lacp_mode(flags: str) -> str:
    """``show lacp internal`` flags (``SA``, ``FP``): A - Device is in Active mode, P - in Passive mode."""
    return "active" if "A" in flags else "passive" if "P" in flags else ""


def _read_modes(facts: SwitchFacts, lacp_internal: list[dict[str, Any]]) -> None:
    """Each member's channel-group mode: a static channel's are ``on``; an LACP one's say active or passive
    in the port's own flags (the neighbor table holds the partner's)."""
    flags = {(int(r["group"]), _short(r["port"])): r["flags"] for r in lacp_internal}
    for pc in facts.port_channels.values():
        for member in pc.members:
            if pc.protocol == STATIC:
                pc.modes[member] = "on"
            elif pc.protocol == "LACP":
                pc.modes[member] = lacp_mode(flags.get((pc.group, member), ""))
            else:
                pc.modes[member] = pc.protocol


def collect_switch_facts(client: SwitchClient) -> SwitchFacts:
    rows = {command: client.parsed(command) for command in COMMANDS}
    facts = SwitchFacts(client.name, raw={c: client.raw[c] for c in COMMANDS})
    for r in rows["show switch"]:
        facts.members[int(r["switch"])] = StackMemberFact(int(r["switch"]), r["role"], r["state"])
    for r in rows["show vlan brief"]:
        facts.vlans[int(r["vlan_id"])] = VlanFact(int(r["vlan_id"]), r["vlan_name"], r["status"])
    for r in rows["show ip interface brief"]:
        if r["interface"].lower().startswith("vlan"):
            vid = parse_port(r["interface"]).numbers[0]
            facts.svis[vid] = SviFact(r["interface"], r["ip_address"], r["status"], r["proto"])
    for r in rows["show etherchannel summary"]:
        members = {
            _short(m): MEMBER_FLAGS.get(f, f)
            for m, f in zip(r["member_interface"], r["member_interface_status"], strict=False)
        }
        facts.port_channels[r["bundle_name"]] = PortChannelFact(
            r["bundle_name"], int(r["group"]), r["bundle_status"], r["bundle_protocol"], members
        )
    _read_modes(facts, rows["show lacp internal"])
    for r in rows["show lacp neighbor"]:
        port = _short(r["port"])
        facts.lacp[port] = LacpNeighborFact(port, int(r["group"]), r["flags"], r["dev_id"].lower(), r["port_state"])
    for r in rows["show interfaces trunk"]:
        port = _short(r["port"])
        facts.trunks[port] = TrunkFact(
            port, r["status"], int(r["native_vlan"] or 0), _vlans(r["allowed_vlans"]), _vlans(r["active_vlans"])
        )
    for r in rows["show interfaces switchport"]:
        port = _short(r["interface"])
        access = int(r["access_vlan"]) if r["access_vlan"].isdigit() else 0
        facts.switchports[port] = SwitchportFact(
            port, r["admin_mode"], r["mode"], access, int(r["native_vlan"] or 0), _vlans(r["trunking_vlans"])
        )
    lb = rows["show etherchannel load-balance"]
    facts.load_balance = lb[0]["load_balance"] if lb else ""
    mtu = rows["show system mtu"]
    facts.system_mtu = int(mtu[0]["system_mtu"]) if mtu and mtu[0]["system_mtu"] else 0
    return facts
