"""Trunks: each port-channel allows every VLAN its peer uses, with the inventory's native VLAN.

Read from the configuration (``show interfaces switchport``), so a trunk that is down still shows
what it would carry; whether it is up is the port-channel checks' business.
"""

from __future__ import annotations

from xenlab.inventory import Inventory


def _networks_of(inventory: Inventory, peer: str) -> list[str]:
    """The networks a port-channel's peer uses: every pool network for a host, its own for the storage."""
    if any(h.name == peer for h in inventory.pool.hosts):
        return [n.name for n in inventory.networks]
    storage = inventory.storage
    if storage is not None and storage.name == peer:
        return list(dict.fromkeys([*storage.addresses, storage.network]))
    return []


def _trunk(switch_facts, switch, pc):
    port = switch_facts[switch.name].switchports.get(pc.name)
    assert port is not None, f"{pc.name}: no switchport on {switch.name}"
    assert port.admin_mode == "trunk", f"{pc.name}: switchport mode is {port.admin_mode}, expected trunk"
    return port


def test_trunk_allowed_vlans(port_channel, switch_facts, inventory):
    switch, pc = port_channel
    port = _trunk(switch_facts, switch, pc)
    missing = [
        f"{inventory.network(n).vlan} ({n})"
        for n in _networks_of(inventory, pc.peer)
        if inventory.network(n).vlan not in port.allowed
    ]
    assert not missing, f"{pc.name}: trunk does not allow VLAN {', '.join(missing)}, used by {pc.peer}"


def test_trunk_native_vlan(port_channel, switch_facts):
    switch, pc = port_channel
    port = _trunk(switch_facts, switch, pc)
    assert port.native_vlan == pc.native_vlan, f"{pc.name}: native VLAN {port.native_vlan}, expected {pc.native_vlan}"
