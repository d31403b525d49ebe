"""VMs as real clients see them in the twin's XenAPI face: VIFs, metrics, tasks and Async calls, filters,
placement and live migration with xapi's error codes. Driven by the PyPI XenAPI client."""

from __future__ import annotations

import time

import pytest
import XenAPI

from tests.test_xapi_face import FaceTwin, face_twin_fixtures
from xenlab.disposable import destroy

TWINS_HOLD = "xapi-faces"  # face twins on subnets of their own (tests/conftest.py)

VM = "CentOS6.5-test1"


lab, api = face_twin_fixtures("xapi-vms", "40")


def _vm(api) -> str:
    return api.VM.get_by_name_label(VM)[0]


def _host(api, name: str) -> str:
    return api.host.get_by_name_label(name)[0]


def _code(call) -> list[str]:
    with pytest.raises(XenAPI.Failure) as failure:
        call()
    return failure.value.details


def test_every_vm_has_a_vif_metrics_and_guest_metrics(api) -> None:
    record = api.VM.get_record(_vm(api))
    vif = api.VIF.get_record(record["VIFs"][0])
    assert (vif["device"], vif["VM"], vif["currently_attached"]) == ("0", _vm(api), True)
    assert api.network.get_name_label(vif["network"]) == "Data"
    assert vif["MAC"].count(":") == 5
    assert record["VIFs"][0] in api.network.get_VIFs(vif["network"])
    assert int(api.VM_metrics.get_record(record["metrics"])["memory_actual"]) == 1024**3
    guest = api.VM_guest_metrics.get_record(record["guest_metrics"])
    assert guest["networks"]["0/ip"] == "198.18.30.101"
    assert guest["PV_drivers_version"]["major"] and guest["os_version"]["name"]


def test_get_all_records_where_speaks_xapis_syntax(api) -> None:
    where = api.VM.get_all_records_where
    running = where('field "is_control_domain"="false" and field "power_state"="Running"')
    assert sorted(r["name_label"] for r in running.values()) == [f"CentOS6.5-test{n}" for n in (1, 2, 3, 4)]
    assert len(where('field "name_label"="CentOS6.5-test2" or (field "name_label"="CentOS6.5-test3")')) == 2
    assert len(where('not field "is_control_domain"="false"')) == 2
    assert where("true").keys() == api.VM.get_all_records().keys()
    assert _code(lambda: where('field "name_label"='))[0] == "INVALID_VALUE"


def test_async_pool_migrate_returns_a_task_that_reports_progress_and_result(api) -> None:
    vm, xen1, xen2 = _vm(api), _host(api, "xen1"), _host(api, "xen2")
    task = api.Async.VM.pool_migrate(vm, xen2, {"live": "true"})
    assert task.startswith("OpaqueRef:") and api.task.get_name_label(task) == "Async.VM.pool_migrate"
    deadline = time.monotonic() + 30
    while api.task.get_status(task) == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
    record = api.task.get_record(task)
    assert (record["status"], record["progress"], record["error_info"]) == ("success", 1.0, [])
    assert api.VM.get_resident_on(vm) == xen2
    api.task.destroy(task)
    assert task not in api.task.get_all()
    api.VM.pool_migrate(vm, xen1, {"live": "true"})
    assert api.VM.get_resident_on(vm) == xen1


def test_a_failed_async_call_ends_its_task_with_the_error(api) -> None:
    vm = api.VM.get_by_name_label("CentOS6.5-test2")[0]
    api.VM.hard_shutdown(vm)
    try:
        task = api.Async.VM.pool_migrate(vm, _host(api, "xen2"), {})
        deadline = time.monotonic() + 10
        while api.task.get_status(task) == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.task.get_status(task) == "failure"
        assert api.task.get_error_info(task) == ["VM_BAD_POWER_STATE", vm, "running", "halted"]
    finally:
        api.VM.start_on(vm, _host(api, "xen1"), False, False)
    assert api.VM.get_power_state(vm) == "Running" and api.VM.get_resident_on(vm) == _host(api, "xen1")


def test_migration_to_a_host_without_memory_is_refused(lab: FaceTwin, api) -> None:
    host = lab.twin.lab.hosts["xen2"]
    host.reserved_bytes = host.memory_bytes
    try:
        details = _code(lambda: api.VM.pool_migrate(_vm(api), _host(api, "xen2"), {"live": "true"}))
    finally:
        host.reserved_bytes = 0
    assert details[0] == "HOST_NOT_ENOUGH_FREE_MEMORY" and details[1] == str(1024**3)


def test_a_host_without_the_vms_network_can_neither_receive_nor_start_it(lab: FaceTwin, api) -> None:
    """VM_REQUIRES_NETWORK [vm; network] from VM.pool_migrate and VM.start_on, as xapi refuses a host that has
    no PIF on a VIF's network; the host's VLAN PIF on it is gone from PIF.get_all_records too."""
    lab.twin.lab.faults.inject("host-vlan-missing", ["xen2", "Data"])
    try:
        data = api.network.get_by_name_label("Data")[0]
        xen2_pifs = [r for r in api.PIF.get_all_records().values() if r["host"] == _host(api, "xen2")]
        assert data not in {r["network"] for r in xen2_pifs}
        assert _code(lambda: api.VM.pool_migrate(_vm(api), _host(api, "xen2"), {"live": "true"})) == [
            "VM_REQUIRES_NETWORK",
            _vm(api),
            data,
        ]
        template = api.VM.get_by_name_label("CentOS6.5-template")[0]  # on the Data network too
        clone = api.VM.clone(template, "xenlab-requires-network")
        try:
            api.VM.provision(clone)
            assert _code(lambda: api.VM.start_on(clone, _host(api, "xen2"), False, False)) == [
                "VM_REQUIRES_NETWORK",
                clone,
                data,
            ]
        finally:
            destroy(api, clone)
    finally:
        lab.twin.lab.faults.heal()
    assert api.VM.get_resident_on(_vm(api)) == _host(api, "xen1")


def test_a_guest_that_does_not_acknowledge_suspend_fails_the_migration_and_stays(lab: FaceTwin, api) -> None:
    lab.twin.lab.vms[VM].acks_suspend = False
    try:
        details = _code(lambda: api.VM.pool_migrate(_vm(api), _host(api, "xen2"), {"live": "true"}))
    finally:
        lab.twin.lab.vms[VM].acks_suspend = True
    assert details[:4] == ["VM_MIGRATE_FAILED", _vm(api), _host(api, "xen1"), _host(api, "xen2")]
    assert "Failed_to_acknowledge_suspend_request" in details[4]
    assert api.VM.get_resident_on(_vm(api)) == _host(api, "xen1")


def test_vif_unplug_and_plug(api) -> None:
    vif = api.VM.get_VIFs(_vm(api))[0]
    api.VIF.unplug(vif)
    assert api.VIF.get_currently_attached(vif) is False
    assert _code(lambda: api.VIF.unplug(vif))[0] == "DEVICE_ALREADY_DETACHED"
    api.VIF.plug(vif)
    assert api.VIF.get_currently_attached(vif) is True


def test_a_disposable_clone_runs_and_is_destroyed_with_its_disks(api) -> None:
    source = api.VM.get_by_name_label("CentOS6.5-test3")[0]
    api.VM.hard_shutdown(source)
    try:
        clone = api.VM.clone(source, "xenlab-disposable-1")
    finally:
        api.VM.start_on(source, _host(api, "xen2"), False, False)
    api.VM.add_to_other_config(clone, "xenlab_disposable", "xltest")
    api.VM.provision(clone)
    vdis = [api.VBD.get_VDI(v) for v in api.VM.get_VBDs(clone) if api.VBD.get_type(v) == "Disk"]
    assert vdis, "the clone has no disks"
    parent = api.VDI.get_record(vdis[0])
    assert int(parent["physical_utilisation"]) < int(parent["virtual_size"]) // 100, "a clone is copy-on-write"
    api.VM.start_on(clone, _host(api, "xen1"), False, False)
    found = api.VM.get_all_records_where('field "is_control_domain"="false"')
    assert any(r["other_config"].get("xenlab_disposable") == "xltest" for r in found.values())
    assert api.VM_guest_metrics.get_networks(api.VM.get_guest_metrics(clone))["0/ip"].startswith("198.18.30.")
    assert _code(lambda: api.VM.destroy(clone))[0] == "VM_BAD_POWER_STATE"
    api.VM.hard_shutdown(clone)
    api.VM.destroy(clone)
    for vdi in vdis:
        api.VDI.destroy(vdi)
    assert not api.VM.get_by_name_label("xenlab-disposable-1")
    assert not set(vdis) & set(api.VDI.get_all())


def test_disposable_vms_are_provisioned_and_leftovers_removed(api) -> None:
    from xenlab import disposable

    source = api.VM.get_by_name_label("CentOS6.5-test3")[0]
    api.VM.hard_shutdown(source)
    try:
        vm, address = disposable.provision(api, "CentOS6.5-test3", "xenlab-disposable-2", "xen1", "xltest", 10)
    finally:
        api.VM.start_on(source, _host(api, "xen2"), False, False)
    assert address.startswith("198.18.30.") and api.VM.get_power_state(vm) == "Running"
    assert disposable.leftovers(api, "xltest") == {vm: "xenlab-disposable-2"}
    assert disposable.leftovers(api, "another-lab") == {}
    assert disposable.remove_leftovers(api, "xltest") == ["xenlab-disposable-2"]
    assert not api.VM.get_by_name_label("xenlab-disposable-2")
