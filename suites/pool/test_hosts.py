"""Every host enabled and live; hosts homogeneous (CPU and memory), as HA requires."""

import pytest

from xenlab.inventory import Inventory
from xenlab.inventory.schema import Host
from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import Host as PoolHost

GIB = 1024**3


def _host(facts: XapiFacts, host: Host) -> PoolHost:
    found = facts.host(host.name)
    if found is None:
        pytest.skip(f"{host.name} is not in the pool (test_pool_hosts reports it)")
    return found


def _master(facts: XapiFacts) -> PoolHost:
    """What every host is compared with: the master."""
    master = facts.pool.master
    if master is None:
        pytest.skip("the pool reports no master (test_pool_master_in_inventory reports it)")
    return master


def test_host_enabled(xapi_facts: XapiFacts, pool_host: Host) -> None:
    assert _host(xapi_facts, pool_host).enabled, f"{pool_host.name}: host is disabled, expected enabled"


def test_host_live(xapi_facts: XapiFacts, pool_host: Host) -> None:
    assert _host(xapi_facts, pool_host).live, f"{pool_host.name}: host is not live, expected live"


def test_host_cpu_homogeneous(xapi_facts: XapiFacts, pool_host: Host) -> None:
    host, master = _host(xapi_facts, pool_host), _master(xapi_facts)
    assert host.cpu == master.cpu, f"{pool_host.name}: CPU {host.cpu} differs from master {master.name}'s {master.cpu}"


def test_host_memory_homogeneous(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    host, master = _host(xapi_facts, pool_host), _master(xapi_facts)
    mine, theirs = host.memory_total or 0, master.memory_total or 0
    off_pct = abs(mine - theirs) * 100 / theirs if theirs else 100.0
    tolerance = inventory.pool.memory_tolerance_pct
    assert off_pct <= tolerance, (
        f"{pool_host.name}: memory {mine / GIB:.1f} GiB differs from master {master.name}'s "
        f"{theirs / GIB:.1f} GiB by {off_pct:.1f}%, more than the {tolerance:g}% tolerance"
    )
