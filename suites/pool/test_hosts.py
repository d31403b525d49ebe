"""Every host enabled and live; hosts homogeneous (CPU and memory), as HA requires."""

import pytest

from xenlab.inventory import Inventory
from xenlab.inventory.schema import Host
from xenlab.xapi import XapiFacts
from xenlab.xapi.facts import Record


def _host(facts: XapiFacts, host: Host) -> Record:
    record = facts.host(host.name)
    if record is None:
        pytest.skip(f"{host.name} is not in the pool (test_pool_hosts reports it)")
    return record


def _reference(facts: XapiFacts) -> Record:
    """What every host is compared with: the master."""
    master = facts.pool_master()
    if master is None:
        pytest.skip("the pool reports no master (test_pool_master_in_inventory reports it)")
    return master


def _cpu(record: Record) -> str:
    info = record["cpu_info"]
    return f"{info.get('vendor')} {info.get('modelname')} x{info.get('cpu_count')}"


def test_host_enabled(xapi_facts: XapiFacts, pool_host: Host) -> None:
    record = _host(xapi_facts, pool_host)
    assert record["enabled"], f"{pool_host.name}: host is disabled, expected enabled"


def test_host_live(xapi_facts: XapiFacts, pool_host: Host) -> None:
    metrics = xapi_facts.host_metrics(_host(xapi_facts, pool_host))
    assert metrics is not None and metrics["live"], f"{pool_host.name}: host is not live, expected live"


def test_host_cpu_homogeneous(xapi_facts: XapiFacts, pool_host: Host) -> None:
    record, master = _host(xapi_facts, pool_host), _reference(xapi_facts)
    assert _cpu(record) == _cpu(master), (
        f"{pool_host.name}: CPU {_cpu(record)} differs from master {master['name_label']}'s {_cpu(master)}")


def test_host_memory_homogeneous(inventory: Inventory, xapi_facts: XapiFacts, pool_host: Host) -> None:
    record, master = _host(xapi_facts, pool_host), _reference(xapi_facts)
    mine, theirs = (int(xapi_facts.host_metrics(r)["memory_total"]) for r in (record, master))
    off_pct = abs(mine - theirs) * 100 / theirs
    tolerance = inventory.pool.memory_tolerance_pct
    assert off_pct <= tolerance, (
        f"{pool_host.name}: memory {mine / 1024**3:.1f} GiB differs from master {master['name_label']}'s "
        f"{theirs / 1024**3:.1f} GiB by {off_pct:.1f}%, more than the {tolerance:g}% tolerance")
