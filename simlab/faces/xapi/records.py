"""Model -> XenAPI records for pool, hosts, VMs, storage and sessions (field names as the datamodel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi import vmrecords
from simlab.faces.xapi.wire import NULL, datetime, i, ref
from simlab.model import capacity
from simlab.model.objects import SR, VDI, Host, stable_uuid

if TYPE_CHECKING:
    from simlab.faces.xapi.view import Record, View

API_VERSION = ("2", "21")  # XenServer 8 / XCP-ng 8.3
PRODUCT_VERSION = "8.4.0"
VDI_TYPES = {
    "user",
    "system",
    "suspend",
    "crashdump",
    "ha_statefile",
    "metadata",
    "redo_log",
    "rrd",
    "pvs_cache",
    "cbt_metadata",
}


@dataclass(frozen=True)
class ControlDomain:
    host: str


@dataclass(frozen=True)
class SecretRef:
    uuid: str


def _common(uuid: str) -> Record:
    return {"uuid": uuid, "allowed_operations": [], "current_operations": {}}


def pool(view: View) -> dict[str, tuple[Any, Record]]:
    lab, p = view.lab, view.lab.pool
    hb = lab.srs.get(p.ha_heartbeat_sr) if p.ha_enabled and p.ha_heartbeat_sr else None
    files = {
        "ha_statefile": [ref("VDI", v.uuid) for v in lab.ha_statefiles()],
        "metadata": [ref("VDI", v.uuid) for v in (hb.vdis if hb else []) if v.type == "metadata"],
    }
    record = {
        **_common(p.uuid),
        "name_label": p.name,
        "name_description": "",
        "master": view.host_ref(p.master),
        "default_SR": view.sr_ref(p.default_sr),
        "suspend_image_SR": view.sr_ref(p.default_sr),
        "crash_dump_SR": view.sr_ref(p.default_sr),
        "other_config": {**p.other_config, "auto_poweron": str(p.auto_poweron).lower()},
        "ha_enabled": p.ha_enabled,
        "ha_configuration": {"timeout": str(p.ha_timeout_s)} if p.ha_enabled else {},
        "ha_statefiles": files["ha_statefile"],
        "ha_host_failures_to_tolerate": i(p.ha_failures_to_tolerate),
        "ha_plan_exists_for": i(_plan_exists_for(view) if p.ha_enabled else 0),
        "ha_allow_overcommit": p.ha_allow_overcommit,
        "ha_overcommitted": p.ha_enabled and _plan_exists_for(view) < p.ha_failures_to_tolerate,
        "ha_cluster_stack": "xhad",
        "metadata_VDIs": files["metadata"],
        "blobs": {},
        "tags": [],
        "gui_config": {},
        "health_check_config": {},
        "wlb_url": "",
        "wlb_username": "",
        "wlb_enabled": False,
        "wlb_verify_cert": False,
        "redo_log_enabled": False,
        "redo_log_vdi": NULL,
        "vswitch_controller": "",
        "restrictions": {},
        "guest_agent_config": {},
        "cpu_info": {},
        "policy_no_vendor_device": False,
        "live_patching_disabled": False,
        "igmp_snooping_enabled": False,
        "is_psr_pending": False,
        "tls_verification_enabled": True,
        "coordinator_bias": True,
        "migration_compression": False,
    }
    return {view.pool_ref(): (p, record)}


def _plan_exists_for(view: View) -> int:
    """What xapi's planner last found: the largest n <= failures to tolerate with a plan (cached per view)."""
    if "plan_exists_for" not in view.cache:
        want = view.lab.pool.ha_failures_to_tolerate
        view.cache["plan_exists_for"] = next((n for n in range(want, 0, -1) if capacity.plan_exists(view.lab, n)), 0)
    return view.cache["plan_exists_for"]


def _cpu_info(h: Host) -> dict[str, str]:
    return {
        "cpu_count": str(h.cpu_count),
        "socket_count": "1",
        "vendor": h.cpu_vendor,
        "modelname": h.cpu_model,
        "speed": "2400.000",
        "family": "6",
        "model": "63",
        "stepping": "2",
        "flags": "fpu de tsc msr pae",
        "features": "17bee3ff-bfebfbff-00000021-2c100800",
    }


def host(view: View) -> dict[str, tuple[Any, Record]]:
    lab, out = view.lab, {}
    for h in lab.hosts.values():
        pifs = [r for r, rec in view.records("PIF").items() if rec["host"] == view.host_ref(h.name)]
        pbds = [r for r, rec in view.records("PBD").items() if rec["host"] == view.host_ref(h.name)]
        resident = [ref("VM", view.dom0_uuid(h.name))] + [
            view.vm_ref(v.name) for v in lab.vms.values() if v.resident_on == h.name and v.power_state != "Halted"
        ]
        daemon = lab.ha.daemons.get(h.name)
        peers = sorted(lab.hosts[p].address for p in daemon.network_peers) if daemon else []
        out[view.host_ref(h.name)] = (
            h,
            {
                **_common(h.uuid),
                "name_label": h.name,
                "name_description": "",
                "memory_overhead": i(0),
                "API_version_major": API_VERSION[0],
                "API_version_minor": API_VERSION[1],
                "API_version_vendor": "XenSource",
                "API_version_vendor_implementation": {},
                "enabled": h.enabled,
                "software_version": {
                    "product_version": PRODUCT_VERSION,
                    "product_brand": "XenServer",
                    "platform_name": "XCP",
                    "xapi": "25.6",
                    "hostname": h.name,
                },
                "other_config": {"iscsi_iqn": f"iqn.2024-01.lab.simlab:{h.name}"},
                "capabilities": ["xen-3.0-x86_64", "hvm-3.0-x86_64"],
                "cpu_configuration": {},
                "sched_policy": "credit",
                "supported_bootloaders": ["pygrub", "eliloader"],
                "resident_VMs": resident,
                "logging": {},
                "PIFs": pifs,
                "suspend_image_sr": view.sr_ref(lab.pool.default_sr),
                "crash_dump_sr": view.sr_ref(lab.pool.default_sr),
                "crashdumps": [],
                "patches": [],
                "updates": [],
                "PBDs": pbds,
                "host_CPUs": [ref("host_cpu", stable_uuid(h.uuid, "cpu", n)) for n in range(h.cpu_count)],
                "cpu_info": _cpu_info(h),
                "hostname": h.name,
                "address": h.address,
                "metrics": ref("host_metrics", stable_uuid(h.uuid, "metrics")),
                "license_params": {},
                "boot_free_mem": i(h.memory_bytes - capacity.DOM0_MEMORY),
                "ha_statefiles": view.records("pool")[view.pool_ref()]["ha_statefiles"] if lab.pool.ha_enabled else [],
                "ha_network_peers": peers if lab.pool.ha_enabled else [],
                "blobs": {},
                "tags": [],
                "external_auth_type": "",
                "external_auth_service_name": "",
                "external_auth_configuration": {},
                "edition": "xcp-ng",
                "license_server": {},
                "bios_strings": {},
                "power_on_mode": "",
                "power_on_config": {},
                "local_cache_sr": NULL,
                "chipset_info": {"iommu": "true"},
                "PCIs": [],
                "PGPUs": [],
                "PUSBs": [],
                "ssl_legacy": False,
                "guest_VCPUs_params": {},
                "display": "enabled",
                "virtual_hardware_platform_versions": ["0", "1", "2"],
                "control_domain": ref("VM", view.dom0_uuid(h.name)),
                "updates_requiring_reboot": [],
                "features": [],
                "iscsi_iqn": f"iqn.2024-01.lab.simlab:{h.name}",
                "multipathing": False,
                "uefi_certificates": "",
                "certificates": [],
                "editions": ["xcp-ng"],
                "https_only": False,
            },
        )
    return out


def host_metrics(view: View) -> dict[str, tuple[Any, Record]]:
    return {
        ref("host_metrics", stable_uuid(h.uuid, "metrics")): (
            h,
            {
                "uuid": stable_uuid(h.uuid, "metrics"),
                "memory_total": i(h.memory_bytes),
                "memory_free": i(capacity.free_memory(view.lab, h.name)),
                "live": capacity.live(h),
                "last_updated": datetime(view.since),
                "other_config": {},
            },
        )
        for h in view.lab.hosts.values()
    }


def host_cpu(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for h in view.lab.hosts.values():
        for n in range(h.cpu_count):
            uuid = stable_uuid(h.uuid, "cpu", n)
            out[ref("host_cpu", uuid)] = (
                h,
                {
                    "uuid": uuid,
                    "host": view.host_ref(h.name),
                    "number": i(n),
                    "vendor": h.cpu_vendor,
                    "speed": i(2400),
                    "modelname": h.cpu_model,
                    "family": i(6),
                    "model": i(63),
                    "stepping": "2",
                    "flags": "fpu de tsc msr pae",
                    "features": "17bee3ff-bfebfbff-00000021-2c100800",
                    "utilisation": 0.0,
                    "other_config": {},
                },
            )
    return out


def _vm_record(uuid: str, name: str, **fields: Any) -> Record:
    base = {
        **_common(uuid),
        "name_label": name,
        "name_description": "",
        "power_state": "Halted",
        "user_version": i(1),
        "is_a_template": False,
        "is_default_template": False,
        "suspend_VDI": NULL,
        "resident_on": NULL,
        "scheduled_to_be_resident_on": NULL,
        "affinity": NULL,
        "memory_overhead": i(0),
        "memory_target": i(0),
        "memory_static_max": i(0),
        "memory_dynamic_max": i(0),
        "memory_dynamic_min": i(0),
        "memory_static_min": i(0),
        "VCPUs_params": {},
        "VCPUs_max": i(1),
        "VCPUs_at_startup": i(1),
        "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart",
        "actions_after_crash": "restart",
        "consoles": [],
        "VIFs": [],
        "VBDs": [],
        "VUSBs": [],
        "crash_dumps": [],
        "VTPMs": [],
        "PV_bootloader": "",
        "PV_kernel": "",
        "PV_ramdisk": "",
        "PV_args": "",
        "PV_bootloader_args": "",
        "PV_legacy_args": "",
        "HVM_boot_policy": "",
        "HVM_boot_params": {},
        "HVM_shadow_multiplier": 1.0,
        "platform": {},
        "PCI_bus": "",
        "other_config": {},
        "domid": i(-1),
        "domarch": "x64",
        "last_boot_CPU_flags": {},
        "is_control_domain": False,
        "metrics": NULL,
        "guest_metrics": NULL,
        "last_booted_record": "",
        "recommendations": "",
        "xenstore_data": {},
        "ha_always_run": False,
        "ha_restart_priority": "",
        "is_a_snapshot": False,
        "snapshot_of": NULL,
        "snapshots": [],
        "snapshot_time": datetime(0),
        "transportable_snapshot_id": "",
        "blobs": {},
        "tags": [],
        "blocked_operations": {},
        "snapshot_info": {},
        "snapshot_metadata": "",
        "parent": NULL,
        "children": [],
        "bios_strings": {},
        "protection_policy": NULL,
        "is_snapshot_from_vmpp": False,
        "snapshot_schedule": NULL,
        "is_vmss_snapshot": False,
        "appliance": NULL,
        "start_delay": i(0),
        "shutdown_delay": i(0),
        "order": i(0),
        "VGPUs": [],
        "attached_PCIs": [],
        "suspend_SR": NULL,
        "version": i(0),
        "generation_id": "",
        "hardware_platform_version": i(0),
        "has_vendor_device": False,
        "requires_reboot": False,
        "reference_label": "",
        "domain_type": "pv",
        "NVRAM": {},
    }
    base.update(fields)
    return base


def vm(view: View) -> dict[str, tuple[Any, Record]]:
    lab, out = view.lab, {}
    for name, h in lab.hosts.items():
        uuid = view.dom0_uuid(name)
        out[ref("VM", uuid)] = (
            ControlDomain(name),
            _vm_record(
                uuid,
                f"Control domain on host: {name}",
                power_state="Running" if h.powered else "Halted",
                resident_on=view.host_ref(name),
                is_control_domain=True,
                domid=i(0),
                memory_static_max=i(capacity.DOM0_MEMORY),
                memory_target=i(capacity.DOM0_MEMORY),
                VCPUs_max=i(h.cpu_count),
                VCPUs_at_startup=i(h.cpu_count),
            ),
        )
    for v in lab.vms.values():
        running = v.power_state != "Halted"
        mem = i(v.memory_bytes)
        out[view.vm_ref(v.name)] = (
            v,
            _vm_record(
                v.uuid,
                v.name,
                power_state=v.power_state,
                is_a_template=v.is_template,
                current_operations={stable_uuid(v.uuid, "operation"): v.operation} if v.operation else {},
                resident_on=view.host_ref(v.resident_on) if running else NULL,
                affinity=view.host_ref(v.affinity),
                memory_target=mem,
                memory_static_max=mem,
                memory_dynamic_max=mem,
                memory_dynamic_min=mem,
                memory_static_min=mem,
                PV_bootloader="pygrub",
                other_config={**v.other_config, "auto_poweron": str(v.auto_poweron).lower()},
                VBDs=[ref("VBD", b.uuid) for b in v.vbds],
                domid=i(v.domid if running else -1),
                guest_metrics=ref("VM_guest_metrics", stable_uuid(v.uuid, "guest_metrics")) if running else NULL,
                metrics=vmrecords.metrics_ref(v),
                VIFs=[vmrecords.vif_ref(v)] if v.network in lab.networks else [],
                ha_always_run=v.ha_always_run,
                ha_restart_priority=v.ha_restart_priority,
                order=i(v.order),
                start_delay=i(v.start_delay),
            ),
        )
    return out


def vm_guest_metrics(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for v in view.lab.vms.values():
        if v.power_state == "Halted":
            continue  # xapi drops a VM's guest metrics when it halts
        uuid = stable_uuid(v.uuid, "guest_metrics")
        major, minor, micro = (str(n) for n in v.pv_drivers_version)
        out[ref("VM_guest_metrics", uuid)] = (
            v,
            {
                "uuid": uuid,
                "os_version": {"name": v.os_version, "distro": "centos", "major": "6", "minor": "5"},
                "PV_drivers_version": {"major": major, "minor": minor, "micro": micro, "build": "1"}
                if v.pv_drivers
                else {},
                "PV_drivers_up_to_date": v.pv_drivers,
                "PV_drivers_detected": v.pv_drivers,
                "memory": {},
                "disks": {},
                "networks": {"0/ip": v.address, "0/ipv4/0": v.address}
                if v.pv_drivers and v.address and view.lab.guest_network_up(v)
                else {},
                "other": {},
                "last_updated": datetime(view.since),
                "other_config": {},
                "live": v.pv_drivers,
                "can_use_hotplug_vbd": "yes" if v.pv_drivers else "unspecified",
                "can_use_hotplug_vif": "yes" if v.pv_drivers else "unspecified",
                "services": {},
                "netbios_name": {},
            },
        )
    return out


def sr(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for s in view.lab.srs.values():
        out[ref("SR", s.uuid)] = (
            s,
            {
                **_common(s.uuid),
                "name_label": s.name,
                "name_description": s.name_description,
                "VDIs": [ref("VDI", v.uuid) for v in s.vdis],
                "PBDs": [ref("PBD", stable_uuid(s.uuid, "PBD", p.host)) for p in s.pbds],
                "virtual_allocation": i(s.virtual_allocation),
                "physical_utilisation": i(s.physical_utilisation),
                "physical_size": i(s.physical_size),
                "type": s.type,
                "content_type": s.content_type,
                "shared": s.shared,
                "other_config": {},
                "tags": [],
                "sm_config": _sm_config(s),
                "blobs": {},
                "local_cache_enabled": False,
                "introduced_by": NULL,
                "clustered": False,
                "is_tools_sr": False,
            },
        )
    return out


def _sm_config(s: SR) -> dict[str, str]:
    if not s.is_iscsi or not s.pbds:
        return {}
    return {"allocation": "thick", "use_vhd": "true", "devserial": f"scsi-{s.pbds[0].device_config.get('SCSIid', '')}"}


def pbd(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for s in view.lab.srs.values():
        for p in s.pbds:
            uuid = stable_uuid(s.uuid, "PBD", p.host)
            out[ref("PBD", uuid)] = (
                p,
                {
                    "uuid": uuid,
                    "host": view.host_ref(p.host),
                    "SR": ref("SR", s.uuid),
                    "device_config": dict(p.device_config),
                    "currently_attached": p.attached,
                    "other_config": {},
                },
            )
    return out


def _vdi_record(view: View, s: SR, v: VDI, vbds: list[str]) -> Record:
    return {
        **_common(v.uuid),
        "name_label": v.name,
        "name_description": "",
        "SR": ref("SR", s.uuid),
        "VBDs": vbds,
        "crash_dumps": [],
        "virtual_size": i(v.virtual_size),
        "physical_utilisation": i(v.used),
        "type": v.type if v.type in VDI_TYPES else "user",
        "sharable": v.sharable,
        "read_only": v.read_only,
        "other_config": {},
        "storage_lock": False,
        "location": v.uuid,
        "managed": True,
        "missing": False,
        "parent": NULL,
        "xenstore_data": {},
        "is_a_snapshot": False,
        "snapshot_of": NULL,
        "sm_config": {"vdi_type": "vhd", **({"vhd-parent": v.parent} if v.parent else {})} if s.is_iscsi else {},
        "snapshots": [],
        "snapshot_time": datetime(0),
        "tags": [],
        "allow_caching": False,
        "on_boot": "persist",
        "metadata_of_pool": view.pool_ref() if v.type == "metadata" else NULL,
        "metadata_latest": v.type == "metadata",
        "is_tools_iso": False,
        "cbt_enabled": False,
    }


def vdi(view: View) -> dict[str, tuple[Any, Record]]:
    vbds: dict[str, list[str]] = {}
    for vm in view.lab.vms.values():
        for b in vm.vbds:
            if b.vdi is not None:
                vbds.setdefault(b.vdi, []).append(ref("VBD", b.uuid))
    return {
        ref("VDI", v.uuid): (v, _vdi_record(view, s, v, vbds.get(v.uuid, [])))
        for s in view.lab.srs.values()
        for v in s.vdis
    }


def vbd(view: View) -> dict[str, tuple[Any, Record]]:
    out = {}
    for vm in view.lab.vms.values():
        attached = vm.power_state in ("Running", "Paused")
        for b in vm.vbds:
            out[ref("VBD", b.uuid)] = (
                b,
                {
                    **_common(b.uuid),
                    "VM": view.vm_ref(vm.name),
                    "VDI": ref("VDI", b.vdi) if b.vdi else NULL,
                    "device": b.device if attached else "",
                    "userdevice": b.userdevice,
                    "bootable": b.bootable,
                    "mode": b.mode,
                    "type": b.type,
                    "unpluggable": b.type == "CD",
                    "storage_lock": False,
                    "empty": b.vdi is None,
                    "other_config": {"owner": ""} if b.type == "Disk" else {},
                    "currently_attached": attached,
                    "status_code": i(0),
                    "status_detail": "",
                    "runtime_properties": {},
                    "qos_algorithm_type": "",
                    "qos_algorithm_params": {},
                    "qos_supported_algorithms": [],
                    "metrics": NULL,
                },
            )
    return out


def secret(view: View) -> dict[str, tuple[Any, Record]]:
    """xapi's secrets: the CHAP passwords PBDs name in device_config:chappassword_secret (the host's side)."""
    return {
        ref("secret", uuid): (SecretRef(uuid), {"uuid": uuid, "value": value.reveal(), "other_config": {}})
        for uuid, value in view.lab.secrets.items()
    }


def session(view: View) -> dict[str, tuple[Any, Record]]:
    return {
        r: (
            s,
            {
                "uuid": s["uuid"],
                "this_host": view.host_ref(s["host"]),
                "this_user": NULL,
                "last_active": datetime(s["created"]),
                "pool": False,
                "other_config": {},
                "is_local_superuser": True,
                "subject": NULL,
                "validation_time": datetime(s["created"]),
                "auth_user_sid": "",
                "auth_user_name": s["user"],
                "rbac_permissions": [],
                "tasks": [],
                "parent": NULL,
                "originator": s["originator"],
                "client_certificate": False,
            },
        )
        for r, s in view.sessions.items()
    }


BUILDERS = {
    "pool": pool,
    "host": host,
    "host_metrics": host_metrics,
    "host_cpu": host_cpu,
    "VM": vm,
    "VM_guest_metrics": vm_guest_metrics,
    "SR": sr,
    "PBD": pbd,
    "VDI": vdi,
    "VBD": vbd,
    "secret": secret,
    "session": session,
}
