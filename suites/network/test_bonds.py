"""The XenServer side of the bonds: mode, NICs, links up, hashing, slave carrier, networks over the bond."""

import pytest

from xenlab.inventory import Inventory
from xenlab.inventory.schema import Host, Network
from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import PIF, Bond
from xenlab.xapi.objects import Host as PoolHost


def _host(facts: XapiFacts, name: str) -> PoolHost:
    host = facts.host(name)
    if host is None:
        pytest.skip(f"{name} is not in the pool (suites/pool test_pool_hosts reports it)")
    return host


def _bond(facts: XapiFacts, name: str) -> Bond:
    bonds = _host(facts, name).bonds
    if len(bonds) != 1:
        pytest.skip(f"{name} has {len(bonds)} bonds (test_bond_mode reports it)")
    return bonds[0]


def _native_vlan(inv: Inventory, host: str) -> int | None:
    """The VLAN the switch gives the host's untagged frames (its port-channel's native VLAN)."""
    return next((pc.native_vlan for sw in inv.switches for pc in sw.port_channels if pc.peer == host), None)


def test_bond_mode(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    bonds = _host(xapi_facts, pool_host.name).bonds
    expected = inventory.bond.mode
    assert len(bonds) == 1, f"{pool_host.name}: {len(bonds)} bonds, expected one {expected} bond"
    assert bonds[0].mode == expected, f"{pool_host.name}: bond mode is {bonds[0].mode}, expected {expected}"


def test_bond_nics(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    devices = _bond(xapi_facts, pool_host.name).slave_devices
    expected = sorted(inventory.bond.nics)
    assert devices == expected, (
        f"{pool_host.name}: bond is over {', '.join(devices) or 'no NICs'}, expected {', '.join(expected)}"
    )


def test_bond_links_up(xapi_facts: XapiFacts, pool_host: Host) -> None:
    bond = _bond(xapi_facts, pool_host.name)
    slaves = len(bond.slave_refs)
    assert bond.links_up == slaves, f"{pool_host.name}: bond has {bond.links_up} of {slaves} links up, expected all"


def test_bond_hashing(inventory: Inventory, xapi_facts: XapiFacts, lacp_bond_host: Host) -> None:
    hashing = _bond(xapi_facts, lacp_bond_host.name).hashing
    expected = inventory.bond.hashing
    assert hashing == expected, f"{lacp_bond_host.name}: bond hashing is {hashing or 'not set'}, expected {expected}"


def test_bond_slave_carrier(xapi_facts: XapiFacts, bond_nic: tuple[Host, str]) -> None:
    host, nic = bond_nic
    pif = _host(xapi_facts, host.name).nic(nic)
    assert pif is not None, f"{host.name}: NIC {nic} has no PIF"
    assert pif.carrier, f"{host.name}: bond slave {nic} has no carrier"


def _network_pif(facts: XapiFacts, host: Host, network: Network) -> PIF:
    pif = _host(facts, host.name).pif_on(network.name)
    assert pif is not None, f"{host.name}: network {network.name} has no PIF on this host"
    return pif


def test_network_vlan(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host, network: Network) -> None:
    pif = _network_pif(xapi_facts, pool_host, network)
    # The network on the port-channel's native VLAN travels untagged over the bond.
    vlan = None if _native_vlan(inventory, pool_host.name) == network.vlan else network.vlan
    device = inventory.bond.device
    expected = f"VLAN {vlan}" if vlan is not None else "untagged (native VLAN)"
    assert (pif.vlan, pif.device) == (vlan, device), (
        f"{pool_host.name}: network {network.name} is {pif.tagging} over {pif.device}, "
        f"expected {expected} over {device}"
    )


def test_network_mtu(xapi_facts: XapiFacts, pool_host: Host, network: Network) -> None:
    mtu = _network_pif(xapi_facts, pool_host, network).mtu
    assert mtu == network.mtu, f"{pool_host.name}: network {network.name} has MTU {mtu}, expected {network.mtu}"
