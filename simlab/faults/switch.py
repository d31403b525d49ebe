"""Switch faults: what an engineer gets wrong on a Catalyst stack, entered as IOS would apply it.

Interface changes go through the IOS configuration parser (``simlab.ios.config``), so a change on a
Port-channel reaches its members exactly as on the real switch; the undo restores every field of
every interface touched.
"""

from __future__ import annotations

import copy
from dataclasses import fields

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr, undo_all
from simlab.ios.config import GLOBAL, LOAD_BALANCE, apply_line
from simlab.ios.words import CliError
from simlab.model.lab import Lab
from simlab.model.switch import Interface, SwitchStack
from xenlab.ifname import parse_port
from xenlab.inventory.schema import Inventory


def _first_pc(inv: Inventory) -> tuple[str, str, str]:
    """(switch, Po1, its second member) of the inventory, for examples."""
    if not inv.switches or not inv.switches[0].port_channels:
        return "", "", ""
    pc = inv.switches[0].port_channels[0]
    return inv.switches[0].name, pc.name, pc.members[-1]


def _restore(iface: Interface) -> Undo:
    saved = copy.deepcopy(iface)

    def undo() -> None:
        for f in fields(Interface):
            setattr(iface, f.name, getattr(saved, f.name))

    return undo


def _configure(stack: SwitchStack, lines: list[str], touched: list[Interface]) -> Undo:
    """Apply config lines as typed in ``configure terminal``; undo restores ``touched`` exactly."""
    undo = undo_all(*(_restore(i) for i in touched))
    mode = GLOBAL
    try:
        for line in lines:
            mode = apply_line(stack, mode, line)
    except CliError as exc:
        undo()
        raise FaultError(f"{stack.name}: IOS refused {line!r}: {exc.message}") from None
    return undo


def _port_channel(stack: SwitchStack, name: str) -> tuple[Interface, list[Interface]]:
    po = lookup.interface(stack, name)
    if not po.name.startswith("Port-channel"):
        raise FaultError(f"{name} is not a port-channel")
    return po, stack.members_of(parse_port(po.name).numbers[0])


def _member(stack: SwitchStack, name: str) -> Interface:
    iface = lookup.interface(stack, name)
    if iface.channel_group is None:
        raise FaultError(f"{name} is not a port-channel member")
    return iface


@fault(
    "switch-member-shutdown",
    breaks="one port-channel member cable: `shutdown` on the switch port",
    example=lambda inv: [_first_pc(inv)[0], _first_pc(inv)[2]],
)
def member_shutdown(lab: Lab, switch: str, port: str) -> Undo:
    stack = lookup.switch(lab, switch)
    iface = _member(stack, port)
    return _configure(stack, [f"interface {iface.name}", "shutdown"], [iface])


@fault(
    "lacp-passive",
    breaks="the channel-group mode: the port-channel's members LACP passive (the peer's active bond still bundles "
    "them; two passive ends would not)",
    example=lambda inv: list(_first_pc(inv)[:2]),
)
def lacp_passive(lab: Lab, switch: str, port_channel: str) -> Undo:
    stack = lookup.switch(lab, switch)
    po, members = _port_channel(stack, port_channel)
    group = parse_port(po.name).numbers[0]
    lines = [line for m in members for line in (f"interface {m.name}", f"channel-group {group} mode passive")]
    return _configure(stack, lines, members)


@fault(
    "member-mismatch",
    breaks="one member's config differs from its port-channel's (it is suspended)",
    example=lambda inv: [_first_pc(inv)[0], _first_pc(inv)[2], "99"],
)
def member_mismatch(lab: Lab, switch: str, port: str, native_vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    iface = _member(stack, port)
    vid = lookup.number(native_vlan, "native VLAN", 1, 4094)
    return _configure(stack, [f"interface {iface.name}", f"switchport trunk native vlan {vid}"], [iface])


@fault(
    "member-removed",
    breaks="a port-channel loses a member (`no channel-group` on the port)",
    example=lambda inv: [_first_pc(inv)[0], _first_pc(inv)[2]],
)
def member_removed(lab: Lab, switch: str, port: str) -> Undo:
    stack = lookup.switch(lab, switch)
    iface = _member(stack, port)
    return _configure(stack, [f"interface {iface.name}", "no channel-group"], [iface])


@fault(
    "native-vlan-changed",
    breaks="a port-channel trunk's native VLAN (copied to its members, as IOS does)",
    example=lambda inv: [_first_pc(inv)[0], _first_pc(inv)[1], "99"],
)
def native_vlan_changed(lab: Lab, switch: str, port_channel: str, vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    po, members = _port_channel(stack, port_channel)
    vid = lookup.number(vlan, "native VLAN", 1, 4094)
    return _configure(stack, [f"interface {po.name}", f"switchport trunk native vlan {vid}"], [po, *members])


def _vlan(stack: SwitchStack, vlan: str) -> int:
    vid = lookup.number(vlan, "VLAN", 1, 4094)
    if vid not in stack.vlans:
        raise FaultError(f"{stack.name} has no VLAN {vid} (VLANs: {', '.join(map(str, sorted(stack.vlans)))})")
    return vid


@fault(
    "vlan-deleted",
    breaks="a VLAN deleted from the switch's VLAN database (`no vlan N`)",
    example=lambda inv: [inv.switches[0].name, str(inv.switches[0].vlans[-1].id)] if inv.switches else [],
)
def vlan_deleted(lab: Lab, switch: str, vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    vid = _vlan(stack, vlan)
    saved = stack.vlans.pop(vid)
    return lambda: stack.vlans.__setitem__(vid, saved)


@fault(
    "vlan-suspended",
    breaks="a VLAN suspended in the VLAN database (`state suspend`)",
    example=lambda inv: [inv.switches[0].name, str(inv.switches[0].vlans[-1].id)] if inv.switches else [],
)
def vlan_suspended(lab: Lab, switch: str, vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    return set_attr(stack.vlans[_vlan(stack, vlan)], "state", "suspend")


@fault(
    "svi-shutdown",
    breaks="a VLAN's SVI (the gateway) shut down",
    example=lambda inv: [inv.switches[0].name, str(inv.switches[0].vlans[-1].id)] if inv.switches else [],
)
def svi_shutdown(lab: Lab, switch: str, vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    svi = lookup.interface(stack, f"Vlan{lookup.number(vlan, 'VLAN', 1, 4094)}")
    return _configure(stack, [f"interface {svi.name}", "shutdown"], [svi])


@fault(
    "stack-member-not-ready",
    breaks="a stack member drops out (Provisioned): its ports go down",
    example=lambda inv: [inv.switches[0].name, str(inv.switches[0].members[-1])] if inv.switches else [],
)
def stack_member_not_ready(lab: Lab, switch: str, member: str) -> Undo:
    stack = lookup.switch(lab, switch)
    number = lookup.number(member, "stack member", 1, 9)
    if number not in stack.members:
        raise FaultError(f"{stack.name} has no stack member {number} (members: {', '.join(map(str, stack.members))})")
    target = stack.members[number]
    # What `show switch` prints for a member that left the stack.
    return undo_all(
        set_attr(target, "state", "Provisioned"),
        set_attr(target, "role", "Member"),
        set_attr(target, "mac", "00:00:00:00:00:00"),
        set_attr(target, "priority", 0),
        set_attr(target, "hw_version", "0"),
    )


@fault(
    "load-balance",
    breaks="the switch's port-channel load-balance method",
    example=lambda inv: [inv.switches[0].name, "dst-ip"] if inv.switches else [],
)
def load_balance(lab: Lab, switch: str, method: str) -> Undo:
    stack = lookup.switch(lab, switch)
    if method not in LOAD_BALANCE:
        raise FaultError(f"load-balance must be one of {', '.join(LOAD_BALANCE)}, not {method!r}")
    return set_attr(stack, "load_balance", method)


@fault(
    "trunk-vlan-removed",
    breaks="one VLAN on a port-channel trunk (`switchport trunk allowed vlan remove`)",
    example=lambda inv: [_first_pc(inv)[0], _first_pc(inv)[1], "20"],
)
def trunk_vlan_removed(lab: Lab, switch: str, port_channel: str, vlan: str) -> Undo:
    stack = lookup.switch(lab, switch)
    po, members = _port_channel(stack, port_channel)
    vid = lookup.number(vlan, "VLAN", 1, 4094)
    if vid not in po.allowed_vlans:
        raise FaultError(f"VLAN {vid} is not allowed on {po.name}")
    return _configure(stack, [f"interface {po.name}", f"switchport trunk allowed vlan remove {vid}"], [po, *members])


@fault(
    "switch-system-mtu",
    breaks="jumbo frames through the switch (`system mtu` back to 1500)",
    example=lambda inv: [inv.switches[0].name, "1500"] if inv.switches else [],
)
def switch_system_mtu(lab: Lab, switch: str, mtu: str) -> Undo:
    stack = lookup.switch(lab, switch)
    undo = set_attr(stack, "system_mtu", stack.system_mtu)
    _configure(stack, [f"system mtu {lookup.number(mtu, 'system mtu', 1500, 9198)}"], [])
    return undo
