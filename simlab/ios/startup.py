"""The workshop's startup-config, written from the inventory (when it names no config file)."""

from __future__ import annotations

from ipaddress import IPv4Interface

from simlab.ios.render import interface_block, vlan_block
from simlab.model.switch import Interface, Vlan
from xenlab.ifname import parse_port
from xenlab.inventory.schema import Switch


def startup_config(sw: Switch) -> str:
    lines = ["!", "version 16.12", "!", f"hostname {sw.prompt}", "!"]
    lines += [f"switch {n} provision {sw.model.lower()}" for n in sw.members]
    lines += [f"system mtu {sw.system_mtu}", "!"]
    for v in sw.vlans:
        lines += [*vlan_block(Vlan(v.id, v.name)), "!"]
    lines += [f"port-channel load-balance {sw.load_balance}", "!"]
    for pc in sw.port_channels:
        trunk = {
            "description": pc.description,
            "switchport_mode": "trunk",
            "native_vlan": pc.native_vlan,
            "allowed_vlans": frozenset(pc.allowed_vlans),
        }
        lines += [*interface_block(Interface(f"Port-channel{pc.id}", **trunk)), "!"]
        for member in pc.members:
            iface = Interface(
                parse_port(member).long,
                **trunk,
                channel_group=pc.id,
                channel_mode=pc.mode,
                channel_protocol="lacp" if pc.mode in ("active", "passive") else None,
            )
            lines += [*interface_block(iface), "!"]
    for v in sw.vlans:
        if v.svi is not None:
            svi = IPv4Interface(v.svi)
            lines += [*interface_block(Interface(f"Vlan{v.id}", ip_address=f"{svi.ip} {svi.netmask}")), "!"]
    lines.append("end")
    return "\n".join(lines) + "\n"
