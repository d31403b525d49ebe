"""HA's storage: the statefile lives on the heartbeat SR, which is big enough; protected VMs' disks are agile."""

import pytest

from xenlab.inventory import Inventory
from xenlab.inventory.schema import VM
from xenlab.xapi import XapiFacts

MIB = 2**20


@pytest.fixture
def heartbeat_sr(inventory: Inventory) -> str:
    if not inventory.ha.enabled or inventory.ha.heartbeat_sr is None:
        pytest.skip("the inventory does not enable HA (ha.enabled)")
    return inventory.ha.heartbeat_sr


def test_heartbeat_sr_holds_statefile(xapi_facts: XapiFacts, heartbeat_sr: str) -> None:
    sr = xapi_facts.sr(heartbeat_sr)
    assert sr is not None, f"{heartbeat_sr}: SR does not exist"
    statefiles = xapi_facts.get_all("VDI", xapi_facts.pool.ha_statefile_refs)
    assert statefiles, f"{heartbeat_sr}: the pool has no HA statefile (pool.ha_statefiles is empty)"
    elsewhere = [v.name for v in statefiles if v.sr is None or v.sr.name != heartbeat_sr]
    assert not elsewhere, f"{heartbeat_sr}: HA statefile {', '.join(elsewhere)} is on another SR"


def test_heartbeat_sr_size(xapi_facts: XapiFacts, heartbeat_sr: str, inventory: Inventory) -> None:
    sr = xapi_facts.sr(heartbeat_sr)
    assert sr is not None, f"{heartbeat_sr}: SR does not exist"
    least = inventory.ha.heartbeat_sr_min_mib
    assert sr.physical_size >= least * MIB, (
        f"{heartbeat_sr}: SR is {sr.physical_size // MIB} MiB, HA needs at least {least} MiB"
    )


def test_vm_disks_agile(xapi_facts: XapiFacts, protected_vm: VM, inventory: Inventory) -> None:
    vm = xapi_facts.vm(protected_vm.name)
    assert vm is not None, f"{protected_vm.name}: VM does not exist"
    hosts = {h.name for h in inventory.pool.hosts}
    stuck = [
        f"{d.name} on {d.sr.name if d.sr else '?'}" for d in vm.disks if d.sr is None or not d.sr.properly_shared(hosts)
    ]
    assert not stuck, (
        f"{protected_vm.name}: disk {', '.join(stuck)} is not on a properly shared SR "
        "(shared and plugged on every host), so HA cannot restart it elsewhere"
    )
