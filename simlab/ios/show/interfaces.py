"""show interfaces [X] [status|switchport|trunk], show ip interface brief."""

from __future__ import annotations

from ipaddress import IPv4Interface

from simlab.ios.oper import IfState, if_state, interface_mac, l2_vlans, vlan_usable
from simlab.ios.render import interface_sort_key
from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.switch import ALL_VLANS, Interface, SwitchStack
from xenlab.ifname import parse_port
from xenlab.switch.vlans import format_vlan_list

_COUNTERS = f"""\
  Input queue: 0/2000/0/0 (size/max/drops/flushes); Total output drops: 0
  Queueing strategy: fifo
  Output queue: 0/40 (size/max)
  5 minute input rate 0 bits/sec, 0 packets/sec
  5 minute output rate 0 bits/sec, 0 packets/sec
     0 packets input, 0 bytes, 0 no buffer
     Received 0 broadcasts (0 multicasts)
     0 runts, 0 giants, 0 throttles{" "}
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, 0 multicast, 0 pause input
     0 input packets with dribble condition detected
     0 packets output, 0 bytes, 0 underruns
     0 output errors, 0 collisions, 0 interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out
"""


def ordered(stack: SwitchStack) -> list[Interface]:
    return sorted(stack.interfaces.values(), key=lambda i: interface_sort_key(i.name))


def _protocol(state: IfState) -> str:
    if state.status == "disabled":
        return "down (disabled)"
    if state.status == "suspended":
        return "down (suspended)"
    return "up (connected)" if state.up else "down (notconnect)"


def interface_detail(lab: Lab, stack: SwitchStack, iface: Interface) -> str:
    state = if_state(lab, stack, iface)
    port = parse_port(iface.name)
    mac = interface_mac(stack, iface.name)
    mtu = iface.mtu or stack.system_mtu
    if port.kind == "Vlan":
        lines = [
            f"{iface.name} is {state.link}, line protocol is {state.protocol} ",
            f"  Hardware is Ethernet SVI, address is {mac} (bia {mac})",
        ]
        if iface.description:
            lines.append(f"  Description: {iface.description}")
        if iface.ip_address:
            address, mask = iface.ip_address.split()
            lines.append(f"  Internet address is {IPv4Interface(f'{address}/{mask}').with_prefixlen}")
        lines += [
            f"  MTU {mtu} bytes, BW 1000000 Kbit/sec, DLY 10 usec, ",
            "     reliability 255/255, txload 1/255, rxload 1/255",
            "  Encapsulation ARPA, loopback not set",
            "  Keepalive not supported ",
            "  ARP type: ARPA, ARP Timeout 04:00:00",
            "  Last input 00:00:00, output 00:00:00, output hang never",
            '  Last clearing of "show interface" counters never',
        ]
        return "\n".join(lines) + "\n" + _COUNTERS
    members: list[str] = []
    if port.kind == "Port-channel":
        group = port.numbers[0]
        members = [m.port for m in links.port_channel_state(lab, stack, group).bundled]
        hardware, bandwidth = "EtherChannel", 1000000 * max(1, len(members))
        media = "link type is auto, media type is N/A"
    else:
        hardware, bandwidth = "Gigabit Ethernet", 1000000
        media = "media type is 10/100/1000BaseTX"
    lines = [
        f"{iface.name} is {state.link}, line protocol is {_protocol(state)} ",
        f"  Hardware is {hardware}, address is {mac} (bia {mac})",
    ]
    if iface.description:
        lines.append(f"  Description: {iface.description}")
    duplex, speed = ("Full-duplex", "1000Mb/s") if state.up else ("Auto-duplex", "Auto-speed")
    lines += [
        f"  MTU {mtu} bytes, BW {bandwidth} Kbit/sec, DLY 10 usec, ",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, loopback not set",
        "  Keepalive set (10 sec)",
        f"  {duplex}, {speed}, {media}",
        "  input flow-control is off, output flow-control is unsupported ",
    ]
    if port.kind == "Port-channel":
        lines.append(f"  Members in this channel: {' '.join(members)} " if members else "  No members in this channel")
    lines += [
        "  ARP type: ARPA, ARP Timeout 04:00:00",
        "  Last input 00:00:00, output 00:00:00, output hang never",
        '  Last clearing of "show interface" counters never',
    ]
    return "\n".join(lines) + "\n" + _COUNTERS


def show_interfaces(lab: Lab, stack: SwitchStack, name: str | None = None) -> str:
    ifaces = [stack.interfaces[name]] if name else ordered(stack)
    return "".join(interface_detail(lab, stack, i) for i in ifaces)


def _l2(stack: SwitchStack, name: str | None) -> list[Interface]:
    """Layer-2 interfaces as IOS lists them: physical ports first, then Port-channels."""
    ifaces = [stack.interfaces[name]] if name else ordered(stack)
    physical = [i for i in ifaces if parse_port(i.name).kind not in ("Vlan", "Port-channel")]
    return physical + [i for i in ifaces if i.name.startswith("Port-channel")]


def show_interfaces_status(lab: Lab, stack: SwitchStack, name: str | None = None) -> str:
    lines = ["", "Port         Name               Status       Vlan       Duplex  Speed Type "]
    for iface in _l2(stack, name):
        state = if_state(lab, stack, iface)
        vlan = "trunk" if iface.switchport_mode == "trunk" else str(iface.access_vlan)
        duplex, speed = ("a-full", "a-1000") if state.up else ("auto", "auto")
        kind = "N/A" if iface.name.startswith("Port") else "10/100/1000BaseTX"
        short = parse_port(iface.name).short
        name = iface.description[:18]
        lines.append(f"{short:<13}{name:<19}{state.status:<13}{vlan:<11}{duplex:>6} {speed:>6} {kind}")
    return "\n".join(lines) + "\n"


def _vlan_label(stack: SwitchStack, vid: int) -> str:
    vlan = stack.vlans.get(vid)
    if vlan is None:
        return f"{vid} (Inactive)"
    return f"{vid} ({vlan.name})"


def show_interfaces_switchport(lab: Lab, stack: SwitchStack, name: str | None = None) -> str:
    blocks = []
    for iface in _l2(stack, name):
        admin = iface.switchport_mode or "dynamic auto"
        if iface.switchport_mode == "trunk":
            oper = "trunk"
            if iface.channel_group is not None:
                oper = f"trunk (member of bundle Po{iface.channel_group})"
        else:
            oper = "static access" if if_state(lab, stack, iface).up else "down"
        trunk = iface.switchport_mode == "trunk"
        allowed = "ALL" if iface.allowed_vlans == ALL_VLANS else format_vlan_list(iface.allowed_vlans)
        blocks.append(
            "\n".join(
                [
                    f"Name: {parse_port(iface.name).short}",
                    "Switchport: Enabled",
                    f"Administrative Mode: {admin}",
                    f"Operational Mode: {oper}",
                    "Administrative Trunking Encapsulation: dot1q",
                    f"Operational Trunking Encapsulation: {'dot1q' if trunk else 'native'}",
                    f"Negotiation of Trunking: {'On' if trunk or admin.startswith('dynamic') else 'Off'}",
                    f"Access Mode VLAN: {_vlan_label(stack, iface.access_vlan)}",
                    f"Trunking Native Mode VLAN: {_vlan_label(stack, iface.native_vlan)}",
                    "Administrative Native VLAN tagging: enabled",
                    "Voice VLAN: none",
                    "Administrative private-vlan host-association: none",
                    "Administrative private-vlan mapping: none",
                    "Administrative private-vlan trunk native VLAN: none",
                    "Administrative private-vlan trunk Native VLAN tagging: enabled",
                    "Administrative private-vlan trunk encapsulation: dot1q",
                    "Administrative private-vlan trunk normal VLANs: none",
                    "Administrative private-vlan trunk associations: none",
                    "Administrative private-vlan trunk mappings: none",
                    "Operational private-vlan: none",
                    f"Trunking VLANs Enabled: {allowed}",
                    "Pruning VLANs Enabled: 2-1001",
                    "Capture Mode Disabled",
                    "Capture VLANs Allowed: ALL",
                    "",
                    "Protected: false",
                    "Unknown unicast blocked: disabled",
                    "Unknown multicast blocked: disabled",
                    "Appliance trust: none",
                ]
            )
        )
    return "\n" + "\n\n".join(blocks) + "\n\n"


def trunking(lab: Lab, stack: SwitchStack, name: str | None = None) -> list[Interface]:
    """Trunks that are up, not counting ports bundled in a channel (the Port-channel is listed)."""
    out = []
    for iface in _l2(stack, name):
        if iface.switchport_mode != "trunk" or iface.channel_group is not None:
            continue
        if if_state(lab, stack, iface).up:
            out.append(iface)
    return out


def show_interfaces_trunk(lab: Lab, stack: SwitchStack, name: str | None = None) -> str:
    trunks = trunking(lab, stack, name)
    if not trunks:
        return "\n"
    shorts = {t.name: parse_port(t.name).short for t in trunks}
    lines = ["", "Port        Mode             Encapsulation  Status        Native vlan"]
    lines += [f"{shorts[t.name]:<12}{'on':<17}{'802.1q':<15}{'trunking':<14}{t.native_vlan}" for t in trunks]
    sections = [
        ("Vlans allowed on trunk", lambda t: t.allowed_vlans),
        (
            "Vlans allowed and active in management domain",
            lambda t: frozenset(v for v in t.allowed_vlans if vlan_usable(stack, v)),
        ),
        (
            "Vlans in spanning tree forwarding state and not pruned",
            lambda t: frozenset(v for v in l2_vlans(t) if vlan_usable(stack, v)),
        ),
    ]
    for title, vlans in sections:
        lines += ["", f"Port        {title}"]
        lines += [f"{shorts[t.name]:<12}{format_vlan_list(vlans(t))}" for t in trunks]
    return "\n".join(lines) + "\n\n"


def show_ip_interface_brief(lab: Lab, stack: SwitchStack) -> str:
    lines = ["Interface              IP-Address      OK? Method Status                Protocol"]
    ifaces = ordered(stack)
    svis = [i for i in ifaces if i.name.startswith("Vlan")]
    for iface in svis + [i for i in ifaces if i not in svis]:
        state = if_state(lab, stack, iface)
        ip = iface.ip_address.split()[0] if iface.ip_address else "unassigned"
        method = "NVRAM" if iface.ip_address else "unset"
        lines.append(f"{iface.name:<23}{ip:<16}YES {method:<7}{state.link:<22}{state.protocol:<8}")
    return "\n".join(lines) + "\n"
