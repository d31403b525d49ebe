"""XenAPI messages that change the lab: power, placement, HA, PBDs, and the RW fields the model carries.

Each handler gets the View (built under ``lab.lock``) and the call's arguments after the
session; it changes model objects and returns the XenAPI value. The dispatcher calls
``lab.changed()`` after any handler marked as mutating.
"""

from __future__ import annotations

import time
import xmlrpc.client
from collections.abc import Callable
from typing import Any

from simlab.faces.xapi import alerts, lifecycle, pool_ha
from simlab.faces.xapi.calls import Job, Message
from simlab.faces.xapi.guards import expect_power as _expect_power
from simlab.faces.xapi.guards import user_vm as _user_vm
from simlab.faces.xapi.view import View
from simlab.faces.xapi.wire import XapiError, as_bool, as_int, as_map, datetime, i, ref
from simlab.model import capacity, migration
from simlab.model.objects import PBD, SR, VM, Host
from simlab.storage.fabric import PlugError
from xenlab.inventory.secrets import Secret
from xenlab.iscsi import IscsiError

# SM's error codes (XE_SR_ERRORCODES.xml) for a refused iSCSI plug, by xenlab.iscsi error kind.
SM_ERRORS = {
    "auth": (
        68,
        "ISCSI login failed - check access settings for the initiator on the storage, "
        "if CHAP is used verify CHAP credentials",
    ),
    "login": (
        68,
        "ISCSI login failed - check access settings for the initiator on the storage, "
        "if CHAP is used verify CHAP credentials",
    ),
    "no-target": (96, "The request is missing or has an incorrect target IQN parameter"),
    "unreachable": (141, "Unable to connect to ISCSI service on target"),
    "io": (47, "The SR is not available"),
}


def _usable_host(view: View, host_ref: str) -> Host:
    host = view.obj("host", host_ref)
    if not capacity.live(host):
        raise XapiError("HOST_OFFLINE", host_ref)
    if not host.enabled:
        raise XapiError("HOST_DISABLED", host_ref)
    return host


def _preserve_plan(view: View, vm: VM, host: Host) -> None:
    """HA overcommit protection: a VM arriving on a host must not break the failover plan."""
    pool = view.lab.pool
    if not pool.ha_enabled or pool.ha_allow_overcommit or vm.resident_on == host.name:
        return
    failures = pool.ha_failures_to_tolerate
    if capacity.plan_exists(view.lab, failures) and not capacity.plan_exists(view.lab, failures, (vm, host.name)):
        raise XapiError("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN")


def _boot(view: View, vm: VM, host: Host) -> None:
    _preserve_plan(view, vm, host)
    try:
        capacity.start(view.lab, vm, host)
    except capacity.StartFailed as exc:
        raise XapiError(exc.code, *(ref(*p) if isinstance(p, tuple) else p for p in exc.params)) from None
    if vm.ha_restart_priority:
        vm.ha_always_run = True  # xapi: starting a VM with a restart priority protects it


def vm_start_on(view: View, vm_ref: str, host_ref: str, _paused: Any, _force: Any) -> str:
    vm = _user_vm(view, vm_ref)
    _expect_power(vm_ref, vm, "Halted")
    _boot(view, vm, _usable_host(view, host_ref))
    return ""


def vm_start(view: View, vm_ref: str, paused: Any, force: Any) -> str:
    vm = _user_vm(view, vm_ref)
    _expect_power(vm_ref, vm, "Halted")
    hosts = sorted(view.lab.hosts.values(), key=lambda h: h.name != vm.affinity)
    for host in hosts:
        if capacity.live(host) and host.enabled and capacity.free_memory(view.lab, host.name) >= vm.memory_bytes:
            return vm_start_on(view, vm_ref, view.host_ref(host.name), paused, force)
    raise XapiError("NO_HOSTS_AVAILABLE")


def _idle(vm_ref: str, vm: VM) -> None:
    if vm.operation is not None:
        raise XapiError("OTHER_OPERATION_IN_PROGRESS", "VM", vm_ref, vm.operation)


def vm_shutdown(view: View, vm_ref: str) -> str:
    vm = _user_vm(view, vm_ref)
    _expect_power(vm_ref, vm, "Running")
    _idle(vm_ref, vm)
    # A shutdown asked for by a client is not a failure: HA must not restart the VM.
    capacity.halt(vm)
    vm.ha_always_run = False
    return ""


def vm_hard_shutdown(view: View, vm_ref: str) -> str:
    vm = _user_vm(view, vm_ref)
    _expect_power(vm_ref, vm, "Running", "Paused", "Suspended")
    _idle(vm_ref, vm)
    # A shutdown asked for by a client is not a failure: HA must not restart the VM.
    capacity.halt(vm)
    vm.ha_always_run = False
    return ""


def vm_pool_migrate(view: View, vm_ref: str, host_ref: str, options: Any) -> Job:
    """Live migration: checks here (real error codes), then the copy and switch-over as a Job."""
    vm = _user_vm(view, vm_ref)
    as_map(options, "options")
    _expect_power(vm_ref, vm, "Running")
    _idle(vm_ref, vm)
    host = _usable_host(view, host_ref)
    _preserve_plan(view, vm, host)
    if not capacity.can_run_on(view.lab, vm, host.name):
        raise XapiError("VM_REQUIRES_NETWORK", vm_ref, ref("network", view.lab.networks[vm.network].uuid))
    if vm.resident_on != host.name:
        free = capacity.free_memory(view.lab, host.name)
        if free < vm.memory_bytes:
            raise XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", i(vm.memory_bytes), i(free))
    lab, name, src_ref = view.lab, vm.name, view.host_ref(vm.resident_on)
    vm.operation = "pool_migrate"

    def work(progress: Callable[[float], None]) -> str:
        try:
            migration.live_migrate(lab, name, host.name, progress)
        except migration.MigrationError as exc:
            raise XapiError("VM_MIGRATE_FAILED", vm_ref, src_ref, host_ref, str(exc)) from None
        finally:
            with lab.lock:
                vm.operation = None
        return ""

    return Job(work)


def vif_plug(view: View, vif_ref: str) -> str:
    vm = view.obj("VIF", vif_ref)
    _expect_power(view.vm_ref(vm.name), vm, "Running")
    if vm.vif_attached:
        raise XapiError("DEVICE_ALREADY_ATTACHED", vif_ref)
    vm.vif_attached = True
    vm.announcements += 1  # the guest's interface comes up and announces itself
    return ""


def vif_unplug(view: View, vif_ref: str) -> str:
    vm = view.obj("VIF", vif_ref)
    if not (vm.vif_attached and vm.power_state == "Running"):
        raise XapiError("DEVICE_ALREADY_DETACHED", vif_ref)
    vm.vif_attached = False
    return ""


def task_destroy(view: View, task_ref: str) -> str:
    task = view.obj("task", task_ref)
    view.lab.tasks.pop(task.uuid, None)
    return ""


def task_cancel(view: View, task_ref: str) -> str:
    task = view.obj("task", task_ref)
    # Nothing the twin runs can be cancelled half-way (a migration's switch-over is atomic), as xapi says.
    raise XapiError("OPERATION_NOT_ALLOWED", f"task {task.name} cannot be cancelled")


def host_enable(view: View, host_ref: str) -> str:
    host = view.obj("host", host_ref)
    if not capacity.live(host):
        raise XapiError("HOST_OFFLINE", host_ref)
    host.enabled = True
    return ""


def host_disable(view: View, host_ref: str) -> str:
    view.obj("host", host_ref).enabled = False
    return ""


def _pbd_of(view: View, pbd_ref: str) -> tuple[SR, PBD]:
    pbd = view.obj("PBD", pbd_ref)
    sr = next(s for s in view.lab.srs.values() if any(p is pbd for p in s.pbds))
    return sr, pbd


def pbd_plug(view: View, pbd_ref: str) -> str:
    """Unlocked: an iSCSI login takes real time, and the rest of the lab must not wait for it."""
    lab = view.lab
    with lab.lock:
        sr, pbd = _pbd_of(view, pbd_ref)
        if pbd.attached:
            raise XapiError("DEVICE_ALREADY_ATTACHED", pbd_ref)
        fabric = lab.iscsi if sr.is_iscsi else None
        host = lab.hosts.get(pbd.host)
        if host is not None and not capacity.live(host):
            raise XapiError("HOST_OFFLINE", view.host_ref(pbd.host))
    if fabric is not None:
        try:
            fabric.plug(sr, pbd)
        except PlugError as exc:
            code, description = SM_ERRORS.get(exc.kind, SM_ERRORS["unreachable"])
            raise XapiError(f"SR_BACKEND_FAILURE_{code}", "", description, str(exc)) from None
    with lab.lock:
        pbd.attached, pbd.last_error = True, None
    return ""


def pbd_unplug(view: View, pbd_ref: str) -> str:
    lab = view.lab
    with lab.lock:
        sr, pbd = _pbd_of(view, pbd_ref)
        if not pbd.attached:
            raise XapiError("DEVICE_ALREADY_DETACHED", pbd_ref)
        if sr.name == lab.pool.ha_heartbeat_sr and lab.pool.ha_enabled:
            raise XapiError("HA_IS_ENABLED")  # xapi refuses to unplug the statefile's SR under HA
        fabric = lab.iscsi
        pbd.attached = False
    if fabric is not None:
        fabric.unplug(pbd)
    return ""


def sr_scan(view: View, sr_ref: str) -> str:
    """Re-read the LUN's capacity over an attached session (a grown or shrunk LUN shows after a scan)."""
    lab = view.lab
    with lab.lock:
        sr = view.obj("SR", sr_ref)
        if not sr.pbds:
            raise XapiError("SR_HAS_NO_PBDS", sr_ref)
        attached = [p for p in sr.pbds if p.attached]
        if not attached:
            raise XapiError("SR_BACKEND_FAILURE_47", "", "The SR is not available", f"SR {sr.name} is not attached")
        session = next((p.session for p in attached if p.session is not None), None)
    if session is not None:
        try:
            session.read_capacity()
        except IscsiError as exc:
            raise XapiError("SR_BACKEND_FAILURE_47", "", "The SR is not available", str(exc)) from None
        with lab.lock:
            sr.physical_size = session.capacity
    return ""


def host_servertime(view: View, host_ref: str) -> Any:
    view.obj("host", host_ref)
    return datetime(view.lab.clock.wall())


def host_server_localtime(view: View, host_ref: str) -> Any:
    """The host's local time with no timezone, as xapi's Date.localtime sends it."""
    view.obj("host", host_ref)
    return xmlrpc.client.DateTime(time.strftime("%Y%m%dT%H:%M:%S", time.localtime(view.lab.clock.wall())))


def pool_designate_new_master(view: View, host_ref: str) -> str:
    host = view.obj("host", host_ref)
    if not capacity.live(host):
        raise XapiError("HOST_OFFLINE", host_ref)
    view.lab.pool.master = host.name
    return ""


MESSAGES: dict[str, Message] = {
    "pool.designate_new_master": Message(1, pool_designate_new_master),
    "VM.start": Message(3, vm_start),
    "VM.start_on": Message(4, vm_start_on),
    "VM.shutdown": Message(1, vm_shutdown),
    "VM.clean_shutdown": Message(1, vm_shutdown),
    "VM.hard_shutdown": Message(1, vm_hard_shutdown),
    "VM.pool_migrate": Message(3, vm_pool_migrate),
    "VM.clone": Message(2, lifecycle.vm_clone),
    "VM.provision": Message(1, lifecycle.vm_provision),
    "VM.destroy": Message(1, lifecycle.vm_destroy),
    "VDI.destroy": Message(1, lifecycle.vdi_destroy),
    "VIF.plug": Message(1, vif_plug),
    "VIF.unplug": Message(1, vif_unplug),
    "task.destroy": Message(1, task_destroy),
    "task.cancel": Message(1, task_cancel, False),
    "host.enable": Message(1, host_enable),
    "host.disable": Message(1, host_disable),
    "PBD.plug": Message(1, pbd_plug, locked=False),
    "PBD.unplug": Message(1, pbd_unplug, locked=False),
    "SR.scan": Message(1, sr_scan, locked=False),
    "host.get_servertime": Message(1, host_servertime, False),
    "host.get_server_localtime": Message(1, host_server_localtime, False),
    "message.get_since": Message(1, alerts.get_since, False),
    "message.get": Message(3, alerts.get, False),
    "message.create": Message(5, alerts.create),
    "message.destroy": Message(1, alerts.destroy),
    "message.destroy_many": Message(1, alerts.destroy_many),
    **pool_ha.MESSAGES,
}


def _other_config(obj: Any, value: dict[str, str]) -> None:
    """other_config as written; auto_poweron lives in the model as a bool."""
    value = dict(value)
    if "auto_poweron" in value:
        obj.auto_poweron = value.pop("auto_poweron").lower() == "true"
    else:
        obj.auto_poweron = False
    obj.other_config = value


def _rename_vm(view: View, vm: VM, name: str) -> None:
    lab = view.lab
    lab.vms = {(name if k == vm.name else k): v for k, v in lab.vms.items()}
    vm.name = name


def _set_priority(vm: VM, value: str) -> None:
    if value not in ("restart", "best-effort", ""):
        raise XapiError("INVALID_VALUE", "ha_restart_priority", value)
    vm.ha_restart_priority = value


# (class, field) -> setter(view, model object, XML-RPC value); add_to_/remove_from_ reuse map setters.
SETTERS: dict[tuple[str, str], Callable[[View, Any, Any], None]] = {
    ("pool", "name_label"): lambda v, o, x: setattr(o, "name", str(x)),
    ("pool", "other_config"): lambda v, o, x: _other_config(o, as_map(x, "other_config")),
    ("pool", "ha_allow_overcommit"): lambda v, o, x: setattr(o, "ha_allow_overcommit", as_bool(x, "value")),
    ("pool", "default_SR"): lambda v, o, x: setattr(o, "default_sr", v.obj("SR", x).name),
    ("VM", "name_label"): lambda v, o, x: _rename_vm(v, o, str(x)),
    ("VM", "other_config"): lambda v, o, x: _other_config(o, as_map(x, "other_config")),
    ("VM", "affinity"): lambda v, o, x: setattr(
        o, "affinity", v.obj("host", x).name if x != "OpaqueRef:NULL" else None
    ),
    ("VM", "ha_restart_priority"): lambda v, o, x: _set_priority(o, str(x)),
    ("VM", "ha_always_run"): lambda v, o, x: setattr(o, "ha_always_run", as_bool(x, "value")),
    ("VM", "order"): lambda v, o, x: setattr(o, "order", as_int(x, "value")),
    ("VM", "start_delay"): lambda v, o, x: setattr(o, "start_delay", as_int(x, "value")),
    ("VM", "memory_static_max"): lambda v, o, x: setattr(o, "memory_bytes", as_int(x, "value")),
    # The host's side of CHAP: what the next PBD.plug presents (the target's side is the storage server's).
    ("secret", "value"): lambda v, o, x: v.lab.secrets.__setitem__(o.uuid, Secret(str(x))),
}
