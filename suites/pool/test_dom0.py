"""Each host's dom0, as testinfra sees it over SSH: services, the OVS bond, the storage interface."""

from __future__ import annotations

import json

import pytest

from xenlab.inventory import Inventory

SERVICES = ["xapi", "iscsid", "multipathd", "chronyd"]


def storage_network(inventory: Inventory):  # -> inventory Network
    if inventory.storage is not None:
        return inventory.network(inventory.storage.network)
    network = inventory.network_by_purpose("storage")
    if network is None:
        pytest.skip("the inventory has no storage network")
    return network


@pytest.mark.parametrize("service", SERVICES)
def test_service_running(dom0, service: str) -> None:
    assert dom0.service(service).is_running, f"{dom0.name}: {service} is not running"


def test_bond_lacp_negotiated(dom0) -> None:
    show = dom0.check_output("ovs-appctl bond/show bond0")
    status = next((line.split(":", 1)[1].strip() for line in show.splitlines() if line.startswith("lacp_status")),
                  "missing")
    disabled = [line.split()[1].rstrip(":") for line in show.splitlines()
                if line.startswith("slave ") and line.rstrip().endswith("disabled")]
    assert status == "negotiated", f"{dom0.name}: bond0 LACP status is {status}, expected negotiated"
    assert not disabled, f"{dom0.name}: bond0 member {', '.join(disabled)} is disabled, expected enabled"


def test_storage_interface_mtu(dom0, inventory: Inventory) -> None:
    network = storage_network(inventory)
    address = str(inventory.host(dom0.name).addresses[network.name])
    links = json.loads(dom0.check_output("ip -j addr show"))
    link = next((x for x in links if any(a.get("local") == address for a in x.get("addr_info", []))), None)
    assert link is not None, f"{dom0.name}: no interface holds the storage address {address}"
    assert link["mtu"] == network.mtu, \
        f"{dom0.name}: storage interface {link['ifname']} has MTU {link['mtu']}, expected {network.mtu}"


@pytest.mark.packets
def test_storage_ping_jumbo(dom0, inventory: Inventory) -> None:
    network = storage_network(inventory)
    if inventory.storage is None:
        pytest.skip("the inventory has no storage server")
    portal = str(inventory.storage.portal)
    result = dom0.run(f"ping -M do -s {network.mtu - 28} -c 2 -i 0.2 -W 1 {portal}")
    if result.rc == 126:
        pytest.skip(f"{dom0.name}: dom0 cannot send packets: {result.stderr.strip()}")
    detail = result.stderr.strip() or (result.stdout.strip().splitlines() or [""])[-1]
    assert result.rc == 0, f"{dom0.name}: ping -M do -s {network.mtu - 28} to the storage portal {portal} " \
                           f"failed: {detail}"
