"""Faults the packet and dom0 checks must see on servers: MTUs, a dom0 service, a NIC down.

(Switch-side ones — system mtu, a VLAN off a trunk — are IOS config, in switch.py.)
"""

from __future__ import annotations

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr
from simlab.model.lab import Lab


@fault(
    "host-mtu",
    breaks="a host's MTU on one network (its PIF and dom0 interface)",
    example=lambda inv: [inv.pool.hosts[0].name, (inv.network_by_purpose("storage") or inv.networks[0]).name, "1500"],
)
def host_mtu(lab: Lab, host: str, network: str, mtu: str) -> Undo:
    target = lookup.host(lab, host)
    if network not in target.net_mtu:
        raise FaultError(f"{host} has no network {network!r} (networks: {', '.join(target.net_mtu)})")
    return lookup.set_item(target.net_mtu, network, lookup.number(mtu, "MTU", 576, 9216))


@fault("storage-mtu", breaks="the storage server's MTU", example=lambda inv: ["1500"])
def storage_mtu(lab: Lab, mtu: str) -> Undo:
    if lab.storage is None:
        raise FaultError("the lab has no storage server")
    return set_attr(lab.storage, "mtu", lookup.number(mtu, "MTU", 576, 9216))


@fault(
    "dom0-service-stopped",
    breaks="a dom0 service stopped (any the host runs: xapi, iscsid, multipathd, ...)",
    example=lambda inv: [inv.pool.hosts[0].name, "multipathd"],
)
def dom0_service_stopped(lab: Lab, host: str, service: str) -> Undo:
    target = lookup.host(lab, host)
    if service not in target.services:
        raise FaultError(f"{host} has no service {service!r} (services: {', '.join(target.services)})")
    return lookup.set_item(target.services, service, False)


@fault(
    "host-nic-down",
    breaks="a host NIC administratively down in dom0 (`ip link set ethX down`)",
    example=lambda inv: [inv.pool.hosts[0].name, inv.pool.hosts[0].nics[-1]],
)
def host_nic_down(lab: Lab, host: str, nic: str) -> Undo:
    target = lookup.host(lab, host)
    if nic not in target.nics:
        raise FaultError(f"{host} has no NIC {nic!r} (NICs: {', '.join(target.nics)})")
    return set_attr(target.nics[nic], "admin_up", False)
