"""Each host's dom0, as testinfra sees it over SSH: services, the OVS bond, the storage interface."""

from __future__ import annotations

import pytest

from xenlab.dom0 import Dom0, Ping, expected_bond_state
from xenlab.inventory import Inventory
from xenlab.inventory.schema import Network


def storage_network(inventory: Inventory) -> Network:
    if inventory.storage is not None:
        return inventory.network(inventory.storage.network)
    network = inventory.network_by_purpose("storage")
    if network is None:
        pytest.skip("not applicable: the inventory has no storage network")
    return network


def test_service_running(dom0: Dom0, dom0_service: str) -> None:
    assert dom0.service(dom0_service).running, f"{dom0.name}: {dom0_service} is not running"


def test_bond_state(dom0: Dom0, inventory: Inventory) -> None:
    device = inventory.bond.device
    bond = dom0.bond(device)
    mode, lacp = expected_bond_state(inventory.bond.mode, inventory.bond.hashing)
    assert bond.members, f"{dom0.name}: OVS has no bond {device}"
    assert bond.mode == mode, f"{dom0.name}: {device} bond_mode is {bond.mode}, expected {mode}"
    assert bond.lacp_status == lacp, f"{dom0.name}: {device} LACP status is {bond.lacp_status}, expected {lacp}"
    assert not bond.disabled, f"{dom0.name}: {device} member {', '.join(bond.disabled)} is disabled, expected enabled"


def test_storage_interface_mtu(dom0: Dom0, inventory: Inventory) -> None:
    network = storage_network(inventory)
    address = str(inventory.host(dom0.name).addresses[network.name])
    interface = dom0.interface_with(address)
    assert interface is not None, f"{dom0.name}: no interface holds the storage address {address}"
    assert interface.mtu == network.mtu, (
        f"{dom0.name}: storage interface {interface.name} has MTU {interface.mtu}, expected {network.mtu}"
    )


@pytest.mark.packets
def test_storage_ping_jumbo(dom0: Dom0, dom0_storage_pings: dict[str, Ping], inventory: Inventory) -> None:
    network = storage_network(inventory)
    if inventory.storage is None:
        pytest.skip("not applicable: the inventory has no storage server")
    portal, size = str(inventory.storage.portal), network.mtu - 28
    ping = dom0_storage_pings[dom0.name]
    if not ping.sent:
        pytest.skip(f"{dom0.name}: dom0 cannot send packets: {ping.detail}")
    assert ping.ok, f"{dom0.name}: ping -M do -s {size} to the storage portal {portal} failed: {ping.detail}"
