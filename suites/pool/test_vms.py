"""Every inventory VM exists, runs, has PV drivers and starts with the pool."""

import pytest

from xenlab.inventory.schema import VM
from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import VM as PoolVM


def _vm(facts: XapiFacts, vm: VM) -> PoolVM:
    found = facts.vm(vm.name)
    if found is None:
        pytest.skip(f"{vm.name} does not exist (test_vm_exists reports it)")
    return found


def test_vm_exists(xapi_facts: XapiFacts, inventory_vm: VM) -> None:
    assert xapi_facts.vm(inventory_vm.name) is not None, f"{inventory_vm.name}: VM does not exist"


def test_vm_running(xapi_facts: XapiFacts, inventory_vm: VM) -> None:
    state = _vm(xapi_facts, inventory_vm).power_state
    assert state == "Running", f"{inventory_vm.name}: VM is {state.lower()}, expected running"


def test_vm_pv_drivers(xapi_facts: XapiFacts, inventory_vm: VM) -> None:
    vm = _vm(xapi_facts, inventory_vm)
    if not vm.running:
        pytest.skip(f"{inventory_vm.name} is not running; PV drivers report only while it runs (test_vm_running)")
    assert vm.pv_drivers_detected, f"{inventory_vm.name}: PV drivers not detected, expected installed and running"


def test_vm_auto_poweron(xapi_facts: XapiFacts, inventory_vm: VM) -> None:
    actual, expected = _vm(xapi_facts, inventory_vm).auto_poweron, inventory_vm.auto_poweron
    shown = "unset" if actual is None else str(actual).lower()
    assert actual == expected, (
        f"{inventory_vm.name}: other_config:auto_poweron is {shown}, expected {str(expected).lower()}"
    )
