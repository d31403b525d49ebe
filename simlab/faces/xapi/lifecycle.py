"""VM.clone, VM.provision, VM.destroy and VDI.destroy: disposable VMs, with copy-on-write disks.

A clone's disks are children of the source's (``VDI.parent``): they share its blocks and use only a
small VHD header of space on the SR until written. A clone's guest takes the next free address on
its network (as DHCP would give it) and answers there once started. VM.destroy leaves the VM's disks,
as xapi does; VDI.destroy removes one that no running VM uses.
"""

from __future__ import annotations

import uuid as uuidlib
from ipaddress import IPv4Network
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi.guards import expect_power, user_vm
from simlab.faces.xapi.wire import XapiError, ref
from simlab.model.objects import stable_mac
from simlab.model.storage import VBD, VDI

if TYPE_CHECKING:
    from simlab.faces.xapi.view import View
    from simlab.model.objects import VM

COW_HEADER = 8 * 1024**2  # what a fresh copy-on-write child takes on the SR


def _free_address(view: View, network: str | None) -> str | None:
    net = view.lab.networks.get(network or "")
    if net is None or not net.subnet:
        return None
    taken = (
        {vm.address for vm in view.lab.vms.values()}
        | {a for h in view.lab.hosts.values() for a in h.net_addresses.values()}
        | {p.address for p in view.lab.probe.ports}
        | {net.gateway}
    )
    for host in list(IPv4Network(net.subnet).hosts())[150:240]:  # a DHCP pool clear of the lab's static range
        if str(host) not in taken:
            return str(host)
    return None


def vm_clone(view: View, vm_ref: str, new_name: Any) -> str:
    source = user_vm(view, vm_ref)
    if not source.is_template:
        expect_power(vm_ref, source, "Halted")
    name = str(new_name)
    if name in view.lab.vms:
        raise XapiError("OPERATION_NOT_ALLOWED", f"a VM named {name} exists already (the twin names VMs uniquely)")
    uuid = str(uuidlib.uuid4())
    clone = _copy(source, name, uuid, _free_address(view, source.network))
    for vbd in source.vbds:
        parent = view.lab.vdi(vbd.vdi) if vbd.vdi else None
        vdi_uuid = None
        if parent is not None:
            sr = next(s for s in view.lab.srs.values() if parent in s.vdis)
            child = VDI(
                f"{name} {vbd.userdevice}",
                str(uuidlib.uuid4()),
                parent.virtual_size,
                physical_utilisation=COW_HEADER,
                region=sr.allocate(COW_HEADER),
                parent=parent.uuid,
            )
            sr.add_vdi(child)
            vdi_uuid = child.uuid
        clone.vbds.append(VBD(str(uuidlib.uuid4()), vdi_uuid, vbd.userdevice, vbd.type, vbd.mode, vbd.bootable))
    view.lab.vms[name] = clone
    return ref("VM", uuid)


def _copy(source: VM, name: str, uuid: str, address: str | None) -> VM:
    from simlab.model.objects import VM

    return VM(
        name=name,
        uuid=uuid,
        power_state="Halted",
        resident_on=None,
        affinity=source.affinity,
        memory_bytes=source.memory_bytes,
        network=source.network,
        address=address,
        mac=stable_mac(uuid, "vif", 0),
        ha_restart_priority="",
        auto_poweron=False,
        pv_drivers=source.pv_drivers,
        pv_drivers_version=source.pv_drivers_version,
        os_version=source.os_version,
        is_template=source.is_template,
        other_config={k: v for k, v in source.other_config.items() if k != "auto_poweron"},
    )


def vm_provision(view: View, vm_ref: str) -> str:
    vm = user_vm(view, vm_ref)
    expect_power(vm_ref, vm, "Halted")
    vm.is_template = False  # its disks exist already (cloned); xapi then lets it start
    return ""


def vm_destroy(view: View, vm_ref: str) -> str:
    vm = user_vm(view, vm_ref)
    expect_power(vm_ref, vm, "Halted")
    view.lab.vms.pop(vm.name, None)
    return ""


def vdi_destroy(view: View, vdi_ref: str) -> str:
    vdi = view.obj("VDI", vdi_ref)
    users = view.lab.vbds_of_vdi(vdi.uuid)
    if any(vm.power_state != "Halted" for vm, _ in users):
        raise XapiError("VDI_IN_USE", vdi_ref, "destroy")
    for vm, vbd in users:
        vm.vbds.remove(vbd)
    for sr in view.lab.srs.values():
        if vdi in sr.vdis:
            sr.vdis.remove(vdi)
    return ""
