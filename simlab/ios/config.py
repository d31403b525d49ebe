"""IOS configuration commands applied to a SwitchStack: the one parser for the CLI and for booting.

``apply_line(stack, mode, line)`` applies one line typed in ``mode`` and returns the mode the
CLI is in afterwards. Catalyst rules kept here (see the IOS notes):
- a command on a Port-channel is copied to its members; one on a member is not (it may be
  suspended for it);
- ``channel-group N`` creates Port-channelN with the member's switchport settings;
- ``mtu`` under ``vlan`` changes only the VLAN database; ``system mtu`` is the switch-wide MTU;
- a line a sub-mode does not know is tried in global configuration, as IOS does.
Booting (``keep_unknown=True``) keeps lines the model does not know verbatim instead of refusing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simlab.ios.ranges import interface_range
from simlab.ios.words import INVALID, CliError, Words
from simlab.model.switch import ALL_VLANS, Interface, SwitchStack, Vlan
from xenlab.ifname import parse_port
from xenlab.switch.vlans import parse_vlan_list

LOAD_BALANCE = (
    "dst-ip",
    "dst-mac",
    "dst-mixed-ip-port",
    "dst-port",
    "src-dst-ip",
    "src-dst-mac",
    "src-dst-mixed-ip-port",
    "src-dst-port",
    "src-ip",
    "src-mac",
    "src-mixed-ip-port",
    "src-port",
)
DEFAULT_LOAD_BALANCE = "src-mac"
CHANNEL_MODES = {"active": "lacp", "passive": "lacp", "auto": "pagp", "desirable": "pagp", "on": None}


@dataclass(frozen=True)
class Mode:
    name: str  # config | config-if | config-if-range | config-vlan | opaque (an unknown block, booting only)
    interfaces: tuple[str, ...] = ()
    vlans: tuple[int, ...] = ()


GLOBAL = Mode("config")


def apply_line(stack: SwitchStack, mode: Mode, line: str, keep_unknown: bool = False) -> Mode:
    """Apply one configuration line in ``mode``; return the next mode. CliError if IOS would refuse it."""
    stripped = line.strip()
    if not stripped or stripped.startswith("!"):
        return mode
    indented = line[:1].isspace()
    if mode.name == "opaque":
        if indented:
            stack.other_lines.append(line.rstrip())
            return mode
        mode = GLOBAL
    if mode != GLOBAL:
        try:
            return _submode(stack, mode, Words(stripped))
        except CliError as first:
            if keep_unknown and indented:
                _keep(stack, mode, stripped)
                return mode
            try:
                return _global(stack, Words(stripped))
            except CliError:
                if keep_unknown:
                    return _keep_global(stack, stripped)
                raise first from None
    try:
        return _global(stack, Words(stripped))
    except CliError:
        if keep_unknown:
            return _keep_global(stack, stripped)
        raise


def _keep(stack: SwitchStack, mode: Mode, line: str) -> None:
    for name in mode.interfaces:
        stack.interfaces[name].extra.append(line)


def _keep_global(stack: SwitchStack, line: str) -> Mode:
    stack.other_lines.append(line)
    return Mode("opaque")


# -- global configuration ---------------------------------------------------------------------
def _global(stack: SwitchStack, w: Words) -> Mode:
    words = ("hostname", "vlan", "interface", "system", "port-channel", "version", "switch", "exit")
    negate = w.optional("no", *words) == "no"
    if not negate:
        w.i = 0
    word = w.keyword(*words)
    if word == "exit":
        w.end()
        return GLOBAL
    if word == "version":
        w.rest()
        return GLOBAL
    if word == "switch":  # `switch 1 provision ws-c3650-24ts`: the members come from the hardware
        if w.integer(1, 9) not in stack.members:
            raise CliError(INVALID, w.tokens[w.i - 1][1])
        w.keyword("provision")
        w.rest()
        return GLOBAL
    if word == "hostname":
        if negate:
            w.end()
            stack.hostname = "Switch"
        else:
            name = w.next()
            w.end()
            stack.hostname = name
        return GLOBAL
    if word == "system":
        w.keyword("mtu")
        if negate:
            w.end()
            stack.system_mtu = 1500
            return GLOBAL
        if w.peek() and not (w.peek() or "").isdigit():
            w.keyword("jumbo")  # Catalyst 3750 spelling
        stack.system_mtu = w.integer(1500, 9198)
        w.end()
        return GLOBAL
    if word == "port-channel":
        w.keyword("load-balance")
        if negate:
            w.end()
            stack.load_balance = DEFAULT_LOAD_BALANCE
            return GLOBAL
        stack.load_balance = w.keyword(*LOAD_BALANCE)
        w.end()
        return GLOBAL
    if word == "vlan":
        column = w.column()
        try:
            ids = sorted(parse_vlan_list(w.rest()))
        except ValueError:
            raise CliError(INVALID, column) from None
        if negate:
            if 1 in ids:
                raise CliError("%Default VLAN 1 may not be deleted.")
            for vid in ids:
                stack.vlans.pop(vid, None)
            return GLOBAL
        for vid in ids:
            stack.vlans.setdefault(vid, Vlan(vid, f"VLAN{vid:04d}"))
        return Mode("config-vlan", vlans=tuple(ids))
    # interface
    if w.more() and "range".startswith((w.peek() or "").lower()):
        w.next()
        names = interface_range(stack, w)
        return Mode("config-if-range", interfaces=tuple(names))
    column = w.column()
    name = w.interface()
    w.end()
    if negate:
        _delete_interface(stack, name, column)
        return GLOBAL
    return Mode("config-if", interfaces=(_existing_or_virtual(stack, name, column),))


def _existing_or_virtual(stack: SwitchStack, name: str, column: int) -> str:
    """Physical ports exist from the hardware; Port-channel and Vlan interfaces are created."""
    port = parse_port(name)
    if name in stack.interfaces:
        return name
    if port.kind == "Port-channel" and 1 <= port.numbers[0] <= 128 and len(port.numbers) == 1:
        stack.interfaces[name] = Interface(name)
        return name
    if port.kind == "Vlan" and 1 <= port.numbers[0] <= 4094 and len(port.numbers) == 1:
        stack.interfaces[name] = Interface(name)
        return name
    raise CliError(INVALID, column)


def _delete_interface(stack: SwitchStack, name: str, column: int) -> None:
    port = parse_port(name)
    if port.kind not in ("Port-channel", "Vlan") or name not in stack.interfaces:
        raise CliError(INVALID, column)
    del stack.interfaces[name]
    if port.kind == "Port-channel":  # IOS takes the members out of the channel with it
        for member in stack.members_of(port.numbers[0]):
            member.channel_group = member.channel_mode = None


# -- sub-modes --------------------------------------------------------------------------------
def _submode(stack: SwitchStack, mode: Mode, w: Words) -> Mode:
    if w.peek() and (w.peek() or "").lower() == "exit":
        w.next()
        w.end()
        return GLOBAL
    if mode.name == "config-vlan":
        _vlan_command(stack, mode.vlans, w)
    else:
        _interface_command(stack, list(mode.interfaces), w)
    return mode


def _vlan_command(stack: SwitchStack, vids: tuple[int, ...], w: Words) -> None:
    negate = w.optional("no", "name", "mtu", "shutdown", "state") == "no"
    if not negate:
        w.i = 0
    word = w.keyword("name", "mtu", "shutdown", "state")
    vlans = [stack.vlans[v] for v in vids if v in stack.vlans]
    if word == "name":
        name = "" if negate else w.next()
        w.end()
        if len(name) > 32:
            raise CliError(INVALID)
        for vlan in vlans:
            vlan.name = name or f"VLAN{vlan.id:04d}"
    elif word == "mtu":  # the VLAN database column only; jumbo frames follow `system mtu`
        mtu = 1500 if negate else w.integer(1500, 18190)
        w.end()
        for vlan in vlans:
            vlan.mtu = mtu
    elif word == "shutdown":
        w.end()
        for vlan in vlans:
            vlan.shutdown = not negate
    else:
        state = "active" if negate else w.keyword("active", "suspend")
        w.end()
        for vlan in vlans:
            vlan.state = state


# Commands a Port-channel copies to its members (Catalyst keeps them compatible).
_COPIED = ("switchport", "shutdown", "mtu")


def _interface_command(stack: SwitchStack, names: list[str], w: Words) -> None:
    choices = ("description", "shutdown", "switchport", "channel-group", "channel-protocol", "ip", "mtu")
    negate = w.optional("no", *choices) == "no"
    if not negate:
        w.i = 0
    word = w.keyword(*choices)
    targets = [stack.interfaces[n] for n in names]
    if word in _COPIED:
        for po in [t for t in targets if t.name.startswith("Port-channel")]:
            targets += [m for m in stack.members_of(parse_port(po.name).numbers[0]) if m not in targets]
    if word == "description":
        text = "" if negate else w.rest()
        for iface in targets:
            iface.description = text
    elif word == "shutdown":
        w.end()
        for iface in targets:
            iface.shutdown = not negate
    elif word == "mtu":
        mtu = None if negate else w.integer(1500, 9216)
        w.end()
        for iface in targets:
            iface.mtu = mtu
    elif word == "ip":
        _ip_command(targets, w, negate)
    elif word == "switchport":
        _switchport(targets, w, negate)
    elif word == "channel-protocol":
        protocol = None if negate else w.keyword("lacp", "pagp")
        w.end()
        _physical_only(targets, w)
        for iface in targets:
            iface.channel_protocol = protocol
    else:
        _channel_group(stack, targets, w, negate)


def _physical_only(targets: list[Interface], w: Words) -> None:
    if any(parse_port(t.name).kind in ("Port-channel", "Vlan") for t in targets):
        raise CliError(INVALID, 0)


def _ip_command(targets: list[Interface], w: Words, negate: bool) -> None:
    w.keyword("address")
    if negate:
        w.rest() if w.more() else None
        for iface in targets:
            iface.ip_address = None
        return
    column = w.column()
    address, mask = w.next(), w.next()
    w.end()
    if not all(re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", a) for a in (address, mask)):
        raise CliError(INVALID, column)
    if any(not t.name.startswith("Vlan") for t in targets):
        raise CliError(INVALID, 0)
    for iface in targets:
        iface.ip_address = f"{address} {mask}"


def _switchport(targets: list[Interface], w: Words, negate: bool) -> None:
    if any(parse_port(t.name).kind == "Vlan" for t in targets):
        raise CliError(INVALID, w.tokens[w.i - 1][1])
    if not w.more() and not negate:
        return  # `switchport`: layer 2, the Catalyst default
    word = w.keyword("mode", "access", "trunk", "nonegotiate")
    if word == "nonegotiate":
        w.end()
        return
    if word == "mode":
        value = None if negate else w.keyword("access", "trunk")
        w.end() if value or not w.more() else w.rest()
        for iface in targets:
            iface.switchport_mode = value
        return
    if word == "access":
        w.keyword("vlan")
        vid = 1 if negate else w.integer(1, 4094)
        w.end() if not negate else (w.rest() if w.more() else None)
        for iface in targets:
            iface.access_vlan = vid
        return
    sub = w.keyword("native", "allowed", "encapsulation")
    if sub == "encapsulation":  # 3650/3850 only do dot1q
        w.rest() if w.more() else None
        return
    w.keyword("vlan")
    if sub == "native":
        vid = 1 if negate else w.integer(1, 4094)
        w.end() if not negate else (w.rest() if w.more() else None)
        for iface in targets:
            iface.native_vlan = vid
        return
    if negate:
        w.rest() if w.more() else None
        for iface in targets:
            iface.allowed_vlans = ALL_VLANS
        return
    op = None if (w.peek() or "")[:1].isdigit() else w.keyword("add", "remove", "except", "all", "none")
    if op in ("all", "none"):
        w.end()
        for iface in targets:
            iface.allowed_vlans = ALL_VLANS if op == "all" else frozenset()
        return
    column = w.column()
    try:
        vlans = parse_vlan_list(w.rest())
    except ValueError:
        raise CliError(INVALID, column) from None
    for iface in targets:
        if op == "add":
            iface.allowed_vlans = iface.allowed_vlans | vlans
        elif op == "remove":
            iface.allowed_vlans = iface.allowed_vlans - vlans
        elif op == "except":
            iface.allowed_vlans = ALL_VLANS - vlans
        else:
            iface.allowed_vlans = vlans


def _channel_group(stack: SwitchStack, targets: list[Interface], w: Words, negate: bool) -> None:
    _physical_only(targets, w)
    if negate:
        w.rest() if w.more() else None
        for iface in targets:
            iface.channel_group = iface.channel_mode = None
        return
    group = w.integer(1, 128)
    w.keyword("mode")
    mode = w.keyword(*CHANNEL_MODES)
    w.end()
    protocol = CHANNEL_MODES[mode]
    for other in stack.members_of(group):
        if other not in targets and CHANNEL_MODES.get(other.channel_mode or "") != protocol:
            raise CliError(
                f"Command rejected (Channel protocol mismatch for interface "
                f"{parse_port(targets[0].name).short} in group {group}): "
                f"the interface can not be added to the channel group"
            )
    for iface in targets:
        if stack.port_channel(group) is None:  # the new Port-channel takes the member's switchport settings
            po = stack.interface(f"Port-channel{group}")
            po.switchport_mode, po.access_vlan = iface.switchport_mode, iface.access_vlan
            po.native_vlan, po.allowed_vlans = iface.native_vlan, iface.allowed_vlans
        iface.channel_group, iface.channel_mode = group, mode
