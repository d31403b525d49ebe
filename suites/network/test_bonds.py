"""The XenServer side of the LACP bonds: mode, NICs, links up, hashing, slave carrier, networks over the bond."""

import pytest

from fixtures.options import inventory_of
from xenlab.inventory import Inventory
from xenlab.inventory.schema import Host, Network
from xenlab.xapi import XapiFacts
from xenlab.xapi.facts import Record


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bond_nic" in metafunc.fixturenames:  # one test per host and bond NIC: [xen1-eth0]
        inv = inventory_of(metafunc.config)
        rows = [(h, nic) for h in inv.pool.hosts for nic in inv.bond.nics]
        metafunc.parametrize("bond_nic", rows, ids=[f"{h.name}-{nic}" for h, nic in rows])


def _host(facts: XapiFacts, name: str) -> Record:
    record = facts.host(name)
    if record is None:
        pytest.skip(f"{name} is not in the pool (suites/pool test_pool_hosts reports it)")
    return record


def _bond(facts: XapiFacts, name: str) -> Record:
    bonds = facts.bonds_of(_host(facts, name))
    if len(bonds) != 1:
        pytest.skip(f"{name} has {len(bonds)} bonds (test_bond_mode reports it)")
    return bonds[0]


def _slave_devices(facts: XapiFacts, bond: Record) -> list[str]:
    return [facts.get("PIF", r)["device"] for r in bond["slaves"] if facts.get("PIF", r)]


def _native_vlan(inv: Inventory, host: str) -> int | None:
    """The VLAN the switch gives the host's untagged frames (its port-channel's native VLAN)."""
    return next((pc.native_vlan for sw in inv.switches for pc in sw.port_channels if pc.peer == host), None)


def test_bond_mode(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    bonds = xapi_facts.bonds_of(_host(xapi_facts, pool_host.name))
    assert len(bonds) == 1, f"{pool_host.name}: {len(bonds)} bonds, expected one {inventory.bond.mode} bond"
    mode = bonds[0]["mode"]
    assert mode == inventory.bond.mode, f"{pool_host.name}: bond mode is {mode}, expected {inventory.bond.mode}"


def test_bond_nics(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    devices = sorted(_slave_devices(xapi_facts, _bond(xapi_facts, pool_host.name)))
    expected = sorted(inventory.bond.nics)
    assert devices == expected, (
        f"{pool_host.name}: bond is over {', '.join(devices) or 'no NICs'}, expected {', '.join(expected)}")


def test_bond_links_up(xapi_facts: XapiFacts, pool_host: Host) -> None:
    bond = _bond(xapi_facts, pool_host.name)
    up, slaves = int(bond["links_up"]), len(bond["slaves"])
    assert up == slaves, f"{pool_host.name}: bond has {up} of {slaves} links up, expected all {slaves}"


def test_bond_hashing(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    hashing = _bond(xapi_facts, pool_host.name)["properties"].get("hashing_algorithm", "tcpudp_ports")
    assert hashing == inventory.bond.hashing, (
        f"{pool_host.name}: bond hashing is {hashing}, expected {inventory.bond.hashing}")


def test_bond_slave_carrier(xapi_facts: XapiFacts, bond_nic: tuple[Host, str]) -> None:
    host, nic = bond_nic
    pif = next((p for p in xapi_facts.pifs_of(_host(xapi_facts, host.name)) if p["device"] == nic and p["physical"]),
               None)
    assert pif is not None, f"{host.name}: NIC {nic} has no PIF"
    metrics = xapi_facts.pif_metrics(pif)
    assert metrics is not None and metrics["carrier"], f"{host.name}: bond slave {nic} has no carrier"


def _network_pif(facts: XapiFacts, host: Host, network: Network) -> Record:
    record = _host(facts, host.name)
    pif = facts.host_pif_on(record, network.name)
    assert pif is not None, f"{host.name}: network {network.name} has no PIF on this host"
    return pif


def test_network_vlan(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host, network: Network) -> None:
    pif = _network_pif(xapi_facts, pool_host, network)
    master = xapi_facts.get("PIF", _bond(xapi_facts, pool_host.name)["master"]) or {}
    # The network on the port-channel's native VLAN travels untagged over the bond.
    tag = -1 if _native_vlan(inventory, pool_host.name) == network.vlan else network.vlan
    expected = f"VLAN {tag}" if tag != -1 else "untagged (native VLAN)"
    actual = f"VLAN {pif['VLAN']}" if int(pif["VLAN"]) != -1 else "untagged"
    on = master.get("device", "the bond")
    assert pif["device"] == on and int(pif["VLAN"]) == tag, (
        f"{pool_host.name}: network {network.name} is {actual} over {pif['device']}, expected {expected} over {on}")


def test_network_mtu(xapi_facts: XapiFacts, pool_host: Host, network: Network) -> None:
    mtu = int(_network_pif(xapi_facts, pool_host, network)["MTU"])
    assert mtu == network.mtu, f"{pool_host.name}: network {network.name} has MTU {mtu}, expected {network.mtu}"
