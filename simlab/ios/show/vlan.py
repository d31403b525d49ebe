"""show vlan, show vlan brief (the layout of the real samples)."""

from __future__ import annotations

from simlab.model.lab import Lab
from simlab.model.switch import SwitchStack, Vlan
from xenlab.ifname import parse_port

_TYPES = {1002: "fddi", 1003: "tr", 1004: "fdnet", 1005: "trnet"}


def status(vlan: Vlan) -> str:
    if vlan.state == "suspend":
        return "suspended"
    if vlan.shutdown:
        return "act/lshut"
    return vlan.state


def access_ports(stack: SwitchStack) -> dict[int, list[str]]:
    """Ports listed under each VLAN: physical non-trunk ports outside any channel (trunks are not listed)."""
    out: dict[int, list[str]] = {}
    for iface in sorted(stack.interfaces.values(), key=lambda i: parse_port(i.name)):
        port = parse_port(iface.name)
        if port.kind in ("Vlan", "Port-channel") or iface.switchport_mode == "trunk" or iface.channel_group:
            continue
        out.setdefault(iface.access_vlan, []).append(port.short)
    return out


def _port_lines(ports: list[str]) -> list[str]:
    """Ports wrapped as in the real sample (at most 63 characters), continued under the Ports column."""
    lines, line = [], ""
    for port in ports:
        candidate = f"{line}, {port}" if line else port
        if line and len(candidate) > 63:
            lines.append(line)
            candidate = port
        line = candidate
    return [*lines, line] if line else [""]


def show_vlan(lab: Lab, stack: SwitchStack, brief: bool = False) -> str:
    ports = access_ports(stack)
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vid in sorted(stack.vlans):
        vlan = stack.vlans[vid]
        wrapped = _port_lines(ports.get(vid, []))
        lines.append(f"{vid:<4} {vlan.name[:32]:<32} {status(vlan):<9} {wrapped[0]}")
        lines += [" " * 48 + more for more in wrapped[1:]]
    if brief:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2",
        "---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------",
    ]
    for vid in sorted(stack.vlans):
        kind = _TYPES.get(vid, "enet")
        lines.append(
            f"{vid:<4} {kind:<5} {100000 + vid:<10} {stack.vlans[vid].mtu:<5} -      -      -        -    "
            "-        0      0   "
        )
    lines += [
        "",
        "Remote SPAN VLANs",
        "------------------------------------------------------------------------------",
        "",
        "",
        "Primary Secondary Type              Ports",
        "------- --------- ----------------- ------------------------------------------",
        "",
    ]
    return "\n".join(lines) + "\n"
