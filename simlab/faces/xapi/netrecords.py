"""Model -> XenAPI records for host networking: network, PIF, PIF_metrics, Bond, VLAN.

Each host has a PIF per NIC, a bond master PIF (``bond0``) carrying the untagged network,
and a VLAN PIF on the bond per tagged network. Carrier and links_up come from
``simlab.model.links``, so a cable pulled or a switch port shut shows here at once.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi.wire import NULL, datetime, i, ref
from simlab.model import links
from simlab.model.objects import Host, stable_uuid

if TYPE_CHECKING:
    from simlab.faces.xapi.view import Record, View

BOND_DEVICE = "bond0"


@dataclass(frozen=True)
class NetPlace:
    """One PIF: where it sits (host, device, network) and what it is."""

    host: str
    device: str
    network: str | None  # model network name; None for a NIC's own or the bond's own network
    kind: str  # nic | bond | vlan
    uuid: str


def _nic_net_uuid(view: View, device: str) -> str:
    return stable_uuid(view.lab.pool.uuid, "nic-network", device)


def _bond_net_uuid(view: View) -> str:
    return stable_uuid(view.lab.pool.uuid, "bond-network")


def places(view: View, h: Host) -> list[NetPlace]:
    out = [NetPlace(h.name, d, None, "nic", stable_uuid(h.uuid, "PIF", d)) for d in sorted(h.nics)]
    if h.bond is None:
        return out
    out.append(NetPlace(h.name, BOND_DEVICE, h.untagged_network, "bond", stable_uuid(h.uuid, "PIF", BOND_DEVICE)))
    for net in view.lab.networks.values():
        if net.name != h.untagged_network and links.host_has_network(view.lab, h.name, net.name):
            out.append(NetPlace(h.name, BOND_DEVICE, net.name, "vlan", stable_uuid(h.uuid, "PIF", net.name)))
    return out


def _pif_network(view: View, p: NetPlace) -> str:
    if p.network is not None:
        return ref("network", view.lab.networks[p.network].uuid)
    return ref("network", _nic_net_uuid(view, p.device) if p.kind == "nic" else _bond_net_uuid(view))


def _ip(view: View, h: Host, p: NetPlace) -> dict[str, str]:
    address = h.net_addresses.get(p.network or "")
    net = view.lab.networks.get(p.network or "")
    if not address or net is None:
        return {"ip_configuration_mode": "None", "IP": "", "netmask": "", "gateway": "", "DNS": ""}
    mask = str(ipaddress.ip_network(net.subnet).netmask) if net.subnet else "255.255.255.0"
    management = net.purpose == "management"
    return {
        "ip_configuration_mode": "Static",
        "IP": address,
        "netmask": mask,
        "gateway": (net.gateway or "") if management else "",
        "DNS": (net.gateway or "") if management else "",
    }


def _bond_ref(h: Host) -> str:
    return ref("Bond", stable_uuid(h.uuid, "Bond"))


def _carrier(view: View, p: NetPlace) -> bool:
    if p.kind == "nic":
        return links.nic_carrier(view.lab, p.host, p.device)
    return links.bond_links_up(view.lab, p.host) > 0


def pif(view: View) -> dict[str, tuple[Any, Record]]:
    lab, out = view.lab, {}
    for h in lab.hosts.values():
        for p in places(view, h):
            slave = p.kind == "nic" and h.bond is not None and p.device in h.bond.nics
            first = h.nics[h.bond.nics[0]] if h.bond and h.bond.nics and h.bond.nics[0] in h.nics else None
            mac = h.nics[p.device].mac if p.kind == "nic" else (first.mac if first else "")
            net = lab.networks.get(p.network or "")
            mtu = h.net_mtu.get(p.network, 1500) if p.network else 1500
            out[ref("PIF", p.uuid)] = (
                p,
                {
                    "uuid": p.uuid,
                    "device": p.device,
                    "network": _pif_network(view, p),
                    "host": view.host_ref(h.name),
                    "MAC": mac,
                    "MTU": i(mtu),
                    "VLAN": i(net.vlan if p.kind == "vlan" and net else -1),
                    "metrics": ref("PIF_metrics", stable_uuid(p.uuid, "metrics")),
                    "physical": p.kind == "nic",
                    "currently_attached": p.kind != "nic" or slave,
                    **_ip(view, h, p),
                    "bond_slave_of": _bond_ref(h) if slave else NULL,
                    "bond_master_of": [_bond_ref(h)] if p.kind == "bond" else [],
                    "VLAN_master_of": ref("VLAN", stable_uuid(p.uuid, "VLAN")) if p.kind == "vlan" else NULL,
                    "VLAN_slave_of": [
                        ref("VLAN", stable_uuid(q.uuid, "VLAN")) for q in places(view, h) if q.kind == "vlan"
                    ]
                    if p.kind == "bond"
                    else [],
                    "management": net is not None and net.purpose == "management",
                    "other_config": {},
                    "disallow_unplug": False,
                    "tunnel_access_PIF_of": [],
                    "tunnel_transport_PIF_of": [],
                    "ipv6_configuration_mode": "None",
                    "IPv6": [],
                    "ipv6_gateway": "",
                    "primary_address_type": "IPv4",
                    "managed": True,
                    "properties": {"gro": "on"} if p.kind == "nic" else {},
                    "capabilities": [],
                    "igmp_snooping_status": "unknown",
                    "sriov_physical_PIF_of": [],
                    "sriov_logical_PIF_of": [],
                    "PCI": NULL,
                },
            )
    return out


def pif_metrics(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for h in view.lab.hosts.values():
        for p in places(view, h):
            uuid = stable_uuid(p.uuid, "metrics")
            nic = h.nics.get(p.device) if p.kind == "nic" else None
            carrier = _carrier(view, p)
            out[ref("PIF_metrics", uuid)] = (
                p,
                {
                    "uuid": uuid,
                    "io_read_kbs": 0.0,
                    "io_write_kbs": 0.0,
                    "carrier": carrier,
                    "vendor_id": "8086" if nic else "",
                    "vendor_name": "Intel Corporation" if nic else "",
                    "device_id": "1521" if nic else "",
                    "device_name": "I350 Gigabit Network Connection" if nic else "",
                    "speed": i(nic.speed_mbit if nic and carrier else 0),
                    "duplex": carrier,
                    "pci_bus_path": f"0000:04:00.{sorted(h.nics).index(p.device)}" if nic else "",
                    "last_updated": datetime(view.since),
                    "other_config": {},
                },
            )
    return out


def bond(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for h in view.lab.hosts.values():
        if h.bond is None:
            continue
        by_device = {p.device: p for p in places(view, h) if p.kind == "nic"}
        slaves = [ref("PIF", by_device[d].uuid) for d in h.bond.nics if d in by_device]
        master = next(p for p in places(view, h) if p.kind == "bond")
        properties = {"hashing_algorithm": h.bond.hashing}
        if h.bond.mode == "lacp":
            properties |= {"lacp-time": h.bond.lacp_time, "lacp-fallback-ab": "true"}
        uuid = stable_uuid(h.uuid, "Bond")
        out[_bond_ref(h)] = (
            h,
            {
                "uuid": uuid,
                "master": ref("PIF", master.uuid),
                "slaves": slaves,
                "other_config": {},
                "primary_slave": slaves[0] if slaves else NULL,
                "mode": h.bond.mode,
                "properties": properties,
                "links_up": i(links.bond_links_up(view.lab, h.name)),
                "auto_update_mac": True,
            },
        )
    return out


def vlan(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for h in view.lab.hosts.values():
        all_places = places(view, h)
        master = next((p for p in all_places if p.kind == "bond"), None)
        for p in all_places:
            if p.kind != "vlan" or master is None:
                continue
            uuid = stable_uuid(p.uuid, "VLAN")
            out[ref("VLAN", uuid)] = (
                p,
                {
                    "uuid": uuid,
                    "tagged_PIF": ref("PIF", master.uuid),
                    "untagged_PIF": ref("PIF", p.uuid),
                    "tag": i(view.lab.networks[p.network].vlan if p.network else -1),
                    "other_config": {},
                },
            )
    return out


def network(view: View) -> dict[str, tuple[Any, Record]]:
    lab, out = view.lab, {}
    pifs = view.records("PIF")

    def record(uuid: str, name: str, mtu: int, bridge: str, description: str = "") -> Record:
        r = ref("network", uuid)
        return {
            **{"uuid": uuid, "allowed_operations": [], "current_operations": {}},
            "name_label": name,
            "name_description": description,
            "PIFs": [p for p, rec in pifs.items() if rec["network"] == r],
            "VIFs": [v for v, rec in view.records("VIF").items() if rec["network"] == r],
            "MTU": i(mtu),
            "other_config": {},
            "bridge": bridge,
            "managed": True,
            "blobs": {},
            "tags": [],
            "default_locking_mode": "unlocked",
            "assigned_ips": {},
            "purpose": [],
        }

    devices = sorted({d for h in lab.hosts.values() for d in h.nics})
    for n, device in enumerate(devices):
        uuid = _nic_net_uuid(view, device)
        out[ref("network", uuid)] = (
            None,
            record(uuid, f"Pool-wide network associated with {device}", 1500, f"xenbr{n}"),
        )
    if any(h.bond is not None and h.untagged_network is None for h in lab.hosts.values()):
        uuid = _bond_net_uuid(view)
        out[ref("network", uuid)] = (None, record(uuid, "Bond 0+1", 1500, f"xapi{len(lab.networks)}"))
    for net in lab.networks.values():
        out[ref("network", net.uuid)] = (net, record(net.uuid, net.name, net.mtu, net.bridge, net.purpose))
    return out


BUILDERS = {"network": network, "PIF": pif, "PIF_metrics": pif_metrics, "Bond": bond, "VLAN": vlan}
