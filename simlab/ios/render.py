"""``show running-config`` from the model, in IOS order.

IOS order: version, service lines, hostname, other global lines, stack provisioning, system mtu,
VLANs, load-balance, Port-channels, physical ports, SVIs, then the tail (ip http, line ...).
Defaults are not shown (``port-channel load-balance src-mac``, ``system mtu 1500``), as on a Catalyst.
"""

from __future__ import annotations

from simlab.model.switch import ALL_VLANS, Interface, SwitchStack, Vlan
from xenlab.ifname import parse_port
from xenlab.switch.vlans import format_vlan_list

_BEFORE_HOSTNAME = ("service ", "no service ", "platform ")
_TAIL = (
    "ip forward-protocol",
    "ip http",
    "no ip http",
    "ip route",
    "ip ssh",
    "ip access-list",
    "access-list",
    "ip default-gateway",
    "snmp",
    "control-plane",
    "line ",
    "ntp ",
    "banner ",
    "logging ",
    "alias ",
    "mac ",
)
_KIND_ORDER = {"Port-channel": 0, "Vlan": 2}
DEFAULT_VLANS = (1002, 1003, 1004, 1005)


def vlan_block(vlan: Vlan) -> list[str]:
    lines = [f"vlan {vlan.id}"]
    if vlan.name != f"VLAN{vlan.id:04d}":
        lines.append(f" name {vlan.name}")
    if vlan.mtu != 1500:
        lines.append(f" mtu {vlan.mtu}")
    if vlan.state != "active":
        lines.append(f" state {vlan.state}")
    if vlan.shutdown:
        lines.append(" shutdown")
    return lines


def interface_block(iface: Interface) -> list[str]:
    """One ``interface`` block, sub-commands in the order IOS writes them."""
    lines = [f"interface {iface.name}"]
    if iface.description:
        lines.append(f" description {iface.description}")
    if iface.access_vlan != 1:
        lines.append(f" switchport access vlan {iface.access_vlan}")
    if iface.native_vlan != 1:
        lines.append(f" switchport trunk native vlan {iface.native_vlan}")
    if iface.allowed_vlans != ALL_VLANS:
        lines.append(f" switchport trunk allowed vlan {format_vlan_list(iface.allowed_vlans)}")
    if iface.switchport_mode:
        lines.append(f" switchport mode {iface.switchport_mode}")
    if iface.mtu is not None:
        lines.append(f" mtu {iface.mtu}")
    if iface.name.startswith("Vlan"):
        lines.append(f" ip address {iface.ip_address}" if iface.ip_address else " no ip address")
    if iface.shutdown:
        lines.append(" shutdown")
    if iface.channel_protocol:
        lines.append(f" channel-protocol {iface.channel_protocol}")
    if iface.channel_group is not None:
        lines.append(f" channel-group {iface.channel_group} mode {iface.channel_mode}")
    lines.extend(f" {line}" for line in iface.extra)
    return lines


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group kept lines into blocks: a line and the indented lines under it."""
    blocks: list[list[str]] = []
    for line in lines:
        if line[:1].isspace() and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _separated(blocks: list[list[str]]) -> list[str]:
    """Kept blocks with ``!`` between them, except between lines of one family (spanning-tree ..., line ...)."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        out += block
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following is None or following[0].split()[0] != block[0].split()[0]:
            out.append("!")
    return out


def interface_sort_key(name: str) -> tuple[int, tuple[int, ...]]:
    port = parse_port(name)
    return _KIND_ORDER.get(port.kind, 1), port.numbers


def config_lines(stack: SwitchStack) -> list[str]:
    """The running configuration, from ``version`` to ``end``."""
    kept = _blocks(stack.other_lines)
    early = [b for b in kept if b[0].startswith(_BEFORE_HOSTNAME)]
    tail = [b for b in kept if b[0].startswith(_TAIL)]
    opaque_ifaces = [b for b in kept if b[0].startswith("interface ")]
    middle = [b for b in kept if b not in early and b not in tail and b not in opaque_ifaces]
    major_minor = ".".join(stack.version.split(".")[:2])
    out = ["!", f"version {major_minor}"]
    for block in early:
        out += block
    out += ["!", f"hostname {stack.hostname}", "!"]
    out += _separated(middle)
    out += [f"switch {n} provision {stack.model.lower()}" for n in sorted(stack.members)]
    if stack.system_mtu != 1500:
        out.append(f"system mtu {stack.system_mtu}")
    out.append("!")
    for vid in sorted(stack.vlans):
        if vid != 1 and vid not in DEFAULT_VLANS:
            out += [*vlan_block(stack.vlans[vid]), "!"]
    if stack.load_balance != "src-mac":
        out += [f"port-channel load-balance {stack.load_balance}", "!"]
    ifaces = sorted(stack.interfaces.values(), key=lambda i: interface_sort_key(i.name))
    port_channels = [i for i in ifaces if i.name.startswith("Port-channel")]
    for iface in port_channels:
        out += [*interface_block(iface), "!"]
    for block in opaque_ifaces:
        out += [*block, "!"]
    for iface in ifaces[len(port_channels) :]:
        out += [*interface_block(iface), "!"]
    out += _separated(tail)
    out.append("end")
    return out


def _with_header(lines: list[str]) -> str:
    body = "\n".join(lines) + "\n"
    return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}\n"


def show_running_config(stack: SwitchStack) -> str:
    return _with_header(config_lines(stack))


def show_running_config_interface(stack: SwitchStack, name: str) -> str:
    return _with_header(["!", *interface_block(stack.interfaces[name]), "end"])
