"""State derived from the model: carrier, LACP bundling, links up and VLAN forwarding.

Computed on demand from configuration and physical state on both ends of each
cable, so the switch CLI, XenAPI, dom0 shell and data plane always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from simlab.model.lab import Lab
from simlab.model.objects import Bond, Cable
from simlab.model.switch import Interface, SwitchStack
from xenlab.ifname import parse_port


def _member_ready(switch: SwitchStack, port: str) -> bool:
    number = parse_port(port).stack_member
    member = switch.members.get(number) if number is not None else None
    return member is not None and member.state == "Ready"


def cable_up(lab: Lab, cable: Cable) -> bool:
    """Physical link: cable in, both ends powered and administratively up."""
    switch = lab.switches[cable.switch]
    iface = switch.interfaces.get(parse_port(cable.port).long)
    nic = lab.server_nic(cable.server, cable.nic)
    return (
        cable.connected
        and iface is not None
        and not iface.shutdown
        and _member_ready(switch, cable.port)
        and lab.server_powered(cable.server)
        and nic is not None
        and nic.admin_up
    )


def nic_carrier(lab: Lab, server: str, device: str) -> bool:
    cable = next((c for c in lab.cables_of(server) if c.nic == device), None)
    return cable is not None and cable_up(lab, cable)


def server_bond(lab: Lab, server: str) -> Bond | None:
    if server in lab.hosts:
        return lab.hosts[server].bond
    if lab.storage is not None and lab.storage.name == server:
        return lab.storage.bond
    return None


@dataclass(frozen=True)
class MemberState:
    port: str  # short name
    flag: str  # P bundled, s suspended, I stand-alone, D down
    partner: str | None  # server name when an LACP partner answers
    partner_nic: str | None
    partner_mac: str | None
    partner_active: bool


@dataclass(frozen=True)
class PortChannelState:
    group: int
    name: str  # Po1
    protocol: str  # LACP | PAgP | -
    flags: str  # SU | SD
    members: list[MemberState]

    @property
    def bundled(self) -> list[MemberState]:
        return [m for m in self.members if m.flag == "P"]


def member_state(lab: Lab, switch: SwitchStack, iface: Interface, po: Interface | None) -> MemberState:
    short = parse_port(iface.name).short
    cable = lab.cable_at(switch.name, short)
    if cable is None or not cable_up(lab, cable):
        return MemberState(short, "D", None, None, None, False)
    nic = lab.server_nic(cable.server, cable.nic)
    bond = server_bond(lab, cable.server)
    lacp_peer = bond is not None and bond.mode == "lacp" and cable.nic in bond.nics
    peer_active = bool(lacp_peer and bond and bond.lacp_active)
    partner = (cable.server, cable.nic, nic.mac if nic else None, peer_active) if lacp_peer else (None,) * 3 + (False,)
    if po is not None and iface.l2_signature() != po.l2_signature():
        return MemberState(short, "s", *partner)
    if iface.channel_mode == "on":
        return MemberState(short, "P", None, None, None, False)
    if not lacp_peer or (iface.channel_mode == "passive" and not peer_active):
        # No LACPDUs from the far end, or neither end starts the negotiation.
        return MemberState(short, "I", *partner)
    return MemberState(short, "P", *partner)


def port_channel_state(lab: Lab, switch: SwitchStack, group: int) -> PortChannelState:
    po = switch.port_channel(group)
    members = sorted(switch.members_of(group), key=lambda i: parse_port(i.name))
    states = [member_state(lab, switch, m, po) for m in members]
    modes = {m.channel_mode for m in members}
    protocol = "LACP" if modes & {"active", "passive"} else ("PAgP" if modes & {"auto", "desirable"} else "-")
    in_use = any(s.flag == "P" for s in states) and (po is None or not po.shutdown)
    return PortChannelState(group, f"Po{group}", protocol, "SU" if in_use else "SD", states)


def channel_groups(switch: SwitchStack) -> list[int]:
    groups = {i.channel_group for i in switch.interfaces.values() if i.channel_group is not None}
    groups |= {parse_port(n).numbers[0] for n in switch.interfaces if n.startswith("Port-channel")}
    return sorted(groups)


def server_port_channel(lab: Lab, server: str) -> tuple[SwitchStack, PortChannelState] | None:
    """The port-channel the server's bond is cabled to (the first one found)."""
    for cable in lab.cables_of(server):
        switch = lab.switches[cable.switch]
        iface = switch.interfaces.get(parse_port(cable.port).long)
        if iface is not None and iface.channel_group is not None:
            return switch, port_channel_state(lab, switch, iface.channel_group)
    return None


def bond_links_up(lab: Lab, server: str) -> int:
    """Bond.links_up: LACP counts only members the switch bundled; other modes count carrier."""
    bond = server_bond(lab, server)
    if bond is None:
        return 0
    if bond.mode != "lacp":
        return sum(nic_carrier(lab, server, n) for n in bond.nics)
    found = server_port_channel(lab, server)
    if found is None:
        return 0
    _, state = found
    return sum(1 for m in state.bundled if m.partner == server)


def host_has_network(lab: Lab, server: str, network: str) -> bool:
    """The server has an interface (a PIF) on ``network``: every host has one per pool network unless its VLAN
    was destroyed on that host alone."""
    host = lab.hosts.get(server)
    return host is None or network not in host.missing_vlans


def switch_vlan_for(lab: Lab, server: str, network: str) -> int | None:
    """The switch VLAN that the server's traffic on ``network`` reaches, or None if it reaches none."""
    if not lab.server_powered(server) or not host_has_network(lab, server, network):
        return None
    found = server_port_channel(lab, server)
    if found is None:
        return None
    switch, state = found
    if state.flags != "SU" or not any(m.partner == server or m.partner is None for m in state.bundled):
        return None
    po = switch.port_channel(state.group)
    config = po if po is not None else switch.interface(state.bundled[0].port)
    untagged = (
        lab.hosts[server].untagged_network
        if server in lab.hosts
        else (lab.storage.untagged_network if lab.storage else None)
    )
    vlan = config.native_vlan if network == untagged else lab.networks[network].vlan
    if config.switchport_mode != "trunk":
        vlan = config.access_vlan if network == untagged else None
    if vlan is None or vlan not in config.allowed_vlans:
        return None
    db = switch.vlans.get(vlan)
    if db is None or db.shutdown or db.state != "active":
        return None
    return vlan


def vm_switch_vlan(lab: Lab, vm_name: str) -> int | None:
    vm = lab.vms[vm_name]
    if vm.power_state != "Running" or vm.resident_on is None or vm.network is None:
        return None
    return switch_vlan_for(lab, vm.resident_on, vm.network)
