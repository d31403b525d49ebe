"""Faults the packet and dom0 checks must see: MTUs, a VLAN off a trunk, a dom0 service, a NIC down."""

from __future__ import annotations

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr, undo_all
from simlab.model.lab import Lab


def _int(value: str, what: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise FaultError(f"{what} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise FaultError(f"{what} must be between {low} and {high}, not {number}")
    return number


def _set_item(mapping: dict, key: object, value: object) -> Undo:
    before = mapping[key]
    mapping[key] = value
    return lambda: mapping.__setitem__(key, before)


@fault("switch-system-mtu", breaks="jumbo frames through the switch (system mtu back to 1500)",
       example=lambda inv: [inv.switches[0].name, "1500"] if inv.switches else [])
def switch_system_mtu(lab: Lab, switch: str, mtu: str) -> Undo:
    return set_attr(lookup.switch(lab, switch), "system_mtu", _int(mtu, "system mtu", 1500, 9216))


@fault("host-mtu", breaks="a host's MTU on one network (its PIF and dom0 interface)",
       example=lambda inv: [inv.pool.hosts[0].name, (inv.network_by_purpose("storage") or inv.networks[0]).name,
                            "1500"])
def host_mtu(lab: Lab, host: str, network: str, mtu: str) -> Undo:
    target = lookup.host(lab, host)
    if network not in target.net_mtu:
        raise FaultError(f"{host} has no network {network!r} (networks: {', '.join(target.net_mtu)})")
    return _set_item(target.net_mtu, network, _int(mtu, "MTU", 576, 9216))


@fault("storage-mtu", breaks="the storage server's MTU", example=lambda inv: ["1500"])
def storage_mtu(lab: Lab, mtu: str) -> Undo:
    if lab.storage is None:
        raise FaultError("the lab has no storage server")
    return set_attr(lab.storage, "mtu", _int(mtu, "MTU", 576, 9216))


@fault("trunk-vlan-removed", breaks="one VLAN on a port-channel trunk (`switchport trunk allowed vlan remove`)",
       example=lambda inv: [inv.switches[0].port_channels[0].name, "20"] if inv.switches else [])
def trunk_vlan_removed(lab: Lab, interface: str, vlan: str) -> Undo:
    stack = lookup.switch(lab)
    po = lookup.interface(stack, interface)
    number = _int(vlan, "VLAN", 1, 4094)
    if number not in po.allowed_vlans:
        raise FaultError(f"VLAN {number} is not allowed on {interface}")
    # IOS applies a port-channel's switchport change to its members; doing less would suspend them.
    members = stack.members_of(int(po.name.removeprefix("Port-channel"))) if po.name.startswith("Port") else []
    return undo_all(*(set_attr(i, "allowed_vlans", i.allowed_vlans - {number}) for i in [po, *members]))


@fault("dom0-service-stopped", breaks="a dom0 service (xapi, iscsid, multipathd, chronyd)",
       example=lambda inv: [inv.pool.hosts[0].name, "multipathd"])
def dom0_service_stopped(lab: Lab, host: str, service: str) -> Undo:
    target = lookup.host(lab, host)
    if service not in target.services:
        raise FaultError(f"{host} has no service {service!r} (services: {', '.join(target.services)})")
    return _set_item(target.services, service, False)


@fault("host-nic-down", breaks="a host NIC administratively down in dom0 (`ip link set ethX down`)",
       example=lambda inv: [inv.pool.hosts[0].name, inv.pool.hosts[0].nics[-1]])
def host_nic_down(lab: Lab, host: str, nic: str) -> Undo:
    target = lookup.host(lab, host)
    if nic not in target.nics:
        raise FaultError(f"{host} has no NIC {nic!r} (NICs: {', '.join(target.nics)})")
    return set_attr(target.nics[nic], "admin_up", False)
