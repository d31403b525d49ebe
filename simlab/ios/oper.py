"""Operational state the show commands print, derived from the model through ``simlab.model.links``."""

from __future__ import annotations

from dataclasses import dataclass

from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.objects import stable_mac
from simlab.model.switch import Interface, SwitchStack
from xenlab.ifname import parse_port


@dataclass(frozen=True)
class IfState:
    link: str  # up | down | administratively down
    protocol: str  # up | down
    status: str  # connected | notconnect | disabled | suspended (show interfaces status)

    @property
    def up(self) -> bool:
        return self.protocol == "up"


_DISABLED = IfState("administratively down", "down", "disabled")
_DOWN = IfState("down", "down", "notconnect")
_UP = IfState("up", "up", "connected")


def member_flag(lab: Lab, stack: SwitchStack, iface: Interface) -> str | None:
    if iface.channel_group is None:
        return None
    state = links.member_state(lab, stack, iface, stack.port_channel(iface.channel_group))
    return state.flag


def if_state(lab: Lab, stack: SwitchStack, iface: Interface) -> IfState:
    kind = parse_port(iface.name).kind
    if iface.shutdown:
        return _DISABLED
    if kind == "Port-channel":
        group = parse_port(iface.name).numbers[0]
        return _UP if links.port_channel_state(lab, stack, group).flags == "SU" else _DOWN
    if kind == "Vlan":
        return _UP if svi_up(lab, stack, parse_port(iface.name).numbers[0]) else _DOWN
    cable = lab.cable_at(stack.name, parse_port(iface.name).short)
    if cable is None or not links.cable_up(lab, cable):
        return _DOWN
    if member_flag(lab, stack, iface) == "s":
        return IfState("down", "down", "suspended")
    return _UP


def l2_vlans(iface: Interface) -> frozenset[int]:
    """The VLANs an L2 interface carries by its configuration."""
    if iface.switchport_mode == "trunk":
        return iface.allowed_vlans
    return frozenset({iface.access_vlan})


def forwarding_ports(lab: Lab, stack: SwitchStack) -> list[Interface]:
    """L2 interfaces that forward: up Port-channels and up physical ports outside any channel."""
    out = []
    for iface in stack.interfaces.values():
        kind = parse_port(iface.name).kind
        if kind == "Vlan" or (kind != "Port-channel" and iface.channel_group is not None):
            continue
        if if_state(lab, stack, iface).up:
            out.append(iface)
    return out


def vlan_usable(stack: SwitchStack, vid: int) -> bool:
    vlan = stack.vlans.get(vid)
    return vlan is not None and vlan.state == "active" and not vlan.shutdown


def svi_up(lab: Lab, stack: SwitchStack, vid: int) -> bool:
    """An SVI is up while its VLAN exists, is active, and some up L2 port carries it (autostate)."""
    if not vlan_usable(stack, vid):
        return False
    return any(vid in l2_vlans(p) for p in forwarding_ports(lab, stack))


def cisco_mac(mac: str) -> str:
    """``02:3e:a3:6e:1f:ef`` -> ``023e.a36e.1fef``."""
    digits = mac.replace(":", "").replace(".", "").lower()
    return f"{digits[0:4]}.{digits[4:8]}.{digits[8:12]}"


def interface_mac(stack: SwitchStack, name: str) -> str:
    """A stable MAC per interface, derived from the stack's base MAC."""
    return cisco_mac(stable_mac(stack.base_mac, name))
