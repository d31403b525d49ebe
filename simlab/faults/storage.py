"""Faults of the iSCSI storage, as suites/storage checks it. Each changes the model; the storage face
makes tgtd and the hosts' sessions follow (a stopped target really drops the sessions, a removed LUN
is really gone from the target), so what the checks see is what a real lab would show."""

from __future__ import annotations

import logging

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr, undo_all
from simlab.model.build import local_sr_key
from simlab.model.lab import Lab
from simlab.model.objects import SR, VDI, StorageServer, Target, stable_uuid
from simlab.storage.fabric import PlugError
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import Secret

log = logging.getLogger("simlab.faults")
MIB = 1024**2
TOO_SMALL = 256 * MIB  # below HA's 356 MiB
NEARLY_FULL = 0.95


def _storage(lab: Lab) -> StorageServer:
    if lab.storage is None:
        raise FaultError("the lab has no storage server")
    return lab.storage


def _target(lab: Lab, iqn: str) -> Target:
    st = _storage(lab)
    found = next((t for t in st.targets if t.iqn == iqn), None)
    if found is None:
        raise FaultError(f"no target {iqn!r} (targets: {', '.join(t.iqn for t in st.targets)})")
    return found


def _role(inv: Inventory, role: str) -> list[str]:
    return next(([s.name] for s in inv.srs if s.role == role), [])


@fault(
    "target-stopped",
    breaks="the iSCSI target service stopped on the storage server (sessions drop)",
    example=lambda inv: [],
    needs_root=True,
)
def target_stopped(lab: Lab) -> Undo:
    return set_attr(_storage(lab), "target_running", False)


@fault(
    "target-chap-changed",
    breaks="the CHAP secret changed on the target (hosts and the probe present the old one)",
    example=lambda inv: [],
)
def target_chap_changed(lab: Lab) -> Undo:
    st = _storage(lab)
    if st.chap_user is None:
        raise FaultError("the target has no CHAP account (storage.chap)")
    return set_attr(st, "chap_password", Secret("changed-on-the-target"))


@fault(
    "pbd-unplugged",
    breaks="an SR unplugged on one host (PBD.unplug: its iSCSI session logs out)",
    example=lambda inv: _role(inv, "vms") + [inv.pool.hosts[-1].name],
)
def pbd_unplugged(lab: Lab, sr: str, host: str) -> Undo:
    target, pbd = lookup.sr(lab, sr), None
    pbd = target.pbd_of(lookup.host(lab, host).name)
    if pbd is None or not pbd.attached:
        raise FaultError(f"SR {sr} has no plugged PBD on {host}")
    fabric = lab.iscsi if target.is_iscsi else None
    pbd.attached = False
    if fabric is not None:
        fabric.unplug(pbd)

    def replug() -> None:
        if fabric is not None and lab.iscsi is fabric:
            try:
                fabric.plug(target, pbd)
            except PlugError as exc:  # as PBD.plug would: it stays unplugged, and says why
                pbd.last_error = str(exc)
                log.warning("replugging %s on %s failed: %s", sr, host, exc)
                return
        pbd.attached = True

    return replug


@fault("sr-not-shared", breaks="an SR that is not shared", example=lambda inv: _role(inv, "heartbeat"))
def sr_not_shared(lab: Lab, sr: str) -> Undo:
    return set_attr(lookup.sr(lab, sr), "shared", False)


@fault(
    "lun-missing",
    breaks="a LUN removed from its target on the storage server",
    example=lambda inv: (
        [inv.storage.targets[0].iqn, str(inv.storage.targets[0].luns[0].id)]
        if inv.storage and inv.storage.targets
        else []
    ),
    needs_root=True,
)
def lun_missing(lab: Lab, iqn: str, lun: str) -> Undo:
    target = _target(lab, iqn)
    lun_id = lookup.number(lun, "LUN", 0, 16383)
    index = next((i for i, u in enumerate(target.luns) if u.id == lun_id), None)
    if index is None:
        raise FaultError(f"target {iqn} has no LUN {lun_id}")
    removed = target.luns.pop(index)
    return lambda: target.luns.insert(index, removed)


@fault("sr-nearly-full", breaks="an SR 95% used (a big VDI allocated on it)", example=lambda inv: _role(inv, "vms"))
def sr_nearly_full(lab: Lab, sr: str) -> Undo:
    target = lookup.sr(lab, sr)
    size = int(target.physical_size * NEARLY_FULL) - target.physical_utilisation
    if size <= 0:
        raise FaultError(f"SR {sr} is already {NEARLY_FULL:.0%} used")
    vdi = target.add_vdi(VDI("Backup of the old file server", stable_uuid(lab.name, "VDI", "filler", sr), size))
    return lambda: target.vdis.remove(vdi)


def _heartbeat(lab: Lab) -> SR:
    found = lab.srs.get(lab.pool.ha_heartbeat_sr or "") or next(
        (s for s in lab.srs.values() if s.role == "heartbeat"), None
    )
    if found is None:
        raise FaultError("the lab has no heartbeat SR")
    return found


@fault("heartbeat-sr-too-small", breaks="the heartbeat SR on a LUN smaller than HA's 356 MiB", example=lambda inv: [])
def heartbeat_sr_too_small(lab: Lab) -> Undo:
    sr = _heartbeat(lab)
    lun = _target(lab, sr.iqn or "").lun(sr.lun or 0) if sr.iqn else None
    undos = [set_attr(sr, "physical_size", TOO_SMALL)]
    if lun is not None:
        undos.append(set_attr(lun, "size_bytes", TOO_SMALL))
    return undo_all(*undos)


@fault(
    "vm-disk-local",
    breaks="a VM's disk on its host's local SR (not agile: HA cannot restart it elsewhere)",
    example=lambda inv: [v.name for v in inv.vms if v.restart_priority == "restart"][-1:],
)
def vm_disk_local(lab: Lab, vm: str) -> Undo:
    target = lookup.vm(lab, vm)
    disk = next((b.vdi for b in target.vbds if b.type == "Disk" and b.vdi), None)
    source = lab.sr_of_vdi(disk) if disk else None
    local = lab.srs.get(local_sr_key(target.resident_on or target.affinity or ""))
    if source is None or local is None or source is local:
        raise FaultError(f"VM {vm} has no disk to move to its host's local SR")
    vdi = next(v for v in source.vdis if v.uuid == disk)
    region, index = vdi.region, source.vdis.index(vdi)
    source.vdis.remove(vdi)
    vdi.region = None
    local.add_vdi(vdi)

    def back() -> None:
        local.vdis.remove(vdi)
        vdi.region = region
        source.vdis.insert(index, vdi)  # where it was: other VDIs (a template's) may follow it

    return back
