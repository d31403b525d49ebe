"""HA is configured as the inventory says: enabled, tolerating its failures with a plan (not
overcommitted), statefile on the heartbeat SR, and every protected VM restartable (priority, order, agile)."""

import allure
import pytest

from xenlab.ha.policy import agility_problems, partition_survivor, sr_sharing_problem
from xenlab.inventory import Inventory
from xenlab.inventory.schema import VM
from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import VM as PoolVM


@pytest.fixture
def ha_expected(inventory: Inventory, xapi_facts: XapiFacts) -> Inventory:
    if not inventory.ha.enabled:
        pytest.skip("the inventory does not enable HA (ha.enabled: false)")
    if not xapi_facts.pool.ha_enabled:
        pytest.skip("HA is disabled on the pool (test_ha_enabled reports it)")
    return inventory


def _vm(facts: XapiFacts, vm: VM) -> PoolVM:
    found = facts.vm(vm.name)
    if found is None:
        pytest.skip(f"{vm.name} does not exist (test_vm_exists reports it)")
    return found


def test_ha_enabled(inventory: Inventory, xapi_facts: XapiFacts) -> None:
    pool = xapi_facts.pool
    want = "enabled" if inventory.ha.enabled else "disabled"
    assert pool.ha_enabled == inventory.ha.enabled, (
        f"pool {pool.name}: HA is {'enabled' if pool.ha_enabled else 'disabled'}, expected {want}"
    )


def test_ha_failures_to_tolerate(ha_expected: Inventory, xapi_facts: XapiFacts) -> None:
    pool, want = xapi_facts.pool, ha_expected.ha.failures_to_tolerate
    assert pool.ha_host_failures_to_tolerate >= want, (
        f"pool {pool.name}: HA tolerates {pool.ha_host_failures_to_tolerate} host failures, expected at least {want}"
    )


def test_ha_plan_exists(ha_expected: Inventory, xapi_facts: XapiFacts) -> None:
    """A plan exists for the failures to tolerate (xapi: ha_plan_exists_for; below it, HA is overcommitted)."""
    pool, want = xapi_facts.pool, ha_expected.ha.failures_to_tolerate
    if pool.ha_host_failures_to_tolerate < want:
        pytest.skip(
            f"HA plans for only {pool.ha_host_failures_to_tolerate} failures (test_ha_failures_to_tolerate reports it)"
        )
    survivor = partition_survivor(xapi_facts)
    if survivor is not None:
        allure.dynamic.description(
            f"A management-network partition of this two-host pool (storage still seen by both) is a tie: "
            f"{survivor.name} (lowest host UUID {survivor.uuid}) survives, the other host fences itself "
            "and its protected VMs restart on the survivor."
        )
    overcommitted = " and HA is overcommitted" if pool.ha_overcommitted else ""
    usable = [h for h in xapi_facts.hosts.values() if h.live and h.enabled]
    stuck = sorted(v.name for v in xapi_facts.vms.values() if v.ha_protected and agility_problems(xapi_facts, v))
    if len(usable) < len(xapi_facts.hosts):
        why = f"only {len(usable)} of {len(xapi_facts.hosts)} hosts are live and enabled"
    elif stuck:
        why = f"{', '.join(stuck)} cannot restart on every host: test_vm_networks_agile, test_vm_disks_agile say why"
    else:
        why = "not enough free memory to restart the protected VMs"
    assert pool.ha_plan_exists_for >= want and not pool.ha_overcommitted, (
        f"pool {pool.name}: a failover plan exists for {pool.ha_plan_exists_for} host failures{overcommitted}, "
        f"expected a plan for at least {want} ({why})"
    )


def test_statefile_on_heartbeat_sr(ha_expected: Inventory, xapi_facts: XapiFacts) -> None:
    want = ha_expected.ha.heartbeat_sr
    statefiles = xapi_facts.pool.ha_statefiles
    assert statefiles, f"pool {xapi_facts.pool.name}: HA has no statefile (pool.ha_statefiles is empty)"
    for vdi in statefiles:
        sr = vdi.sr
        assert sr is not None and sr.name == want, (
            f"{sr.name if sr else vdi.name}: holds the HA statefile, expected it on SR {want}"
        )
        problem = sr_sharing_problem(xapi_facts, sr)
        assert problem is None, f"{sr.name}: holds the HA statefile but {problem}"


def test_vm_restart_priority(ha_expected: Inventory, xapi_facts: XapiFacts, ha_vm: VM) -> None:
    vm = _vm(xapi_facts, ha_vm)
    actual = vm.ha_restart_priority
    assert actual == ha_vm.restart_priority, (
        f"{vm.name}: HA restart priority is {actual or 'unset (not protected)'!r}, expected {ha_vm.restart_priority!r}"
    )


def test_vm_restart_order(ha_expected: Inventory, xapi_facts: XapiFacts, ha_vm: VM) -> None:
    vm = _vm(xapi_facts, ha_vm)
    want = (ha_vm.order, ha_vm.start_delay)
    assert (vm.order, vm.start_delay) == want, (
        f"{vm.name}: restart order {vm.order} with start delay {vm.start_delay}s, "
        f"expected order {want[0]} with start delay {want[1]}s"
    )


def test_vm_networks_agile(ha_expected: Inventory, xapi_facts: XapiFacts, ha_vm: VM) -> None:
    """Its VIFs on properly shared networks (its disks: suites/storage test_vm_disks_agile)."""
    problems = agility_problems(xapi_facts, _vm(xapi_facts, ha_vm), disks=False)
    assert not problems, f"{ha_vm.name}: not agile (HA cannot restart it elsewhere): {'; '.join(problems)}"
