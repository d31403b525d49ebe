"""Build the twin's model of a lab from its inventory."""

from __future__ import annotations

import hashlib

from simlab.ios.boot import boot_switch
from simlab.model.lab import Lab
from simlab.model.objects import (
    PBD,
    SR,
    VBD,
    VDI,
    VM,
    Bond,
    Cable,
    Host,
    Lun,
    Network,
    Nic,
    Pool,
    Probe,
    ProbePort,
    StorageServer,
    Target,
    stable_mac,
    stable_uuid,
)
from xenlab.inventory.schema import SR as InvSR
from xenlab.inventory.schema import Inventory

GIB = 1024**3
MIB = 1024**2
VM_DISK_SIZE = 20 * GIB
LOCAL_SR_SIZE = 450 * GIB


def _untagged(inv: Inventory, server: str) -> str | None:
    """The network a server sends untagged: the one on its port-channel's native VLAN."""
    for sw in inv.switches:
        for pc in sw.port_channels:
            if pc.peer == server:
                return next((n.name for n in inv.networks if n.vlan == pc.native_vlan), None)
    return None


def _hosts(inv: Inventory) -> dict[str, Host]:
    hosts = {}
    for h in inv.pool.hosts:
        hosts[h.name] = Host(
            name=h.name,
            uuid=stable_uuid(inv.lab.name, "host", h.name),
            address=str(h.address),
            url=h.url,
            ssh_port=h.ssh_port,
            nics={d: Nic(d, stable_mac(inv.lab.name, h.name, d)) for d in h.nics},
            bond=Bond(inv.bond.mode, inv.bond.hashing, list(inv.bond.nics)),
            net_addresses={k: str(v) for k, v in h.addresses.items()},
            net_mtu={n.name: n.mtu for n in inv.networks},
            cpu_vendor=h.cpu.vendor,
            cpu_model=h.cpu.model,
            cpu_count=h.cpu.count,
            memory_bytes=int(h.memory_gib * GIB),
            fence_method=h.fence.method,
            bmc_address=str(h.fence.address) if h.fence.address else None,
            bmc_port=h.fence.port,
            untagged_network=_untagged(inv, h.name),
            iscsi_iqn=f"iqn.2024-01.lab.simlab:{h.name}",
        )
    return hosts


def _cables(inv: Inventory, nics_of: dict[str, list[str]]) -> list[Cable]:
    """One cable per port-channel member, to the peer's NICs in order (NIC1 to switch 1, ...)."""
    cables = []
    for sw in inv.switches:
        for pc in sw.port_channels:
            for member, nic in zip(pc.members, nics_of.get(pc.peer, []), strict=False):
                cables.append(Cable(pc.peer, nic, sw.name, member))
    return cables


def scsi_id(iqn: str, lun: int | None) -> str:
    """The LUN's SCSI id as xapi records it in device_config:SCSIid (NAA-style, from the target and LUN)."""
    return "36" + hashlib.sha1(f"{iqn}/{lun}".encode()).hexdigest()[:31]


def add_ha_vdis(lab_name: str, sr: SR) -> None:
    """The statefile and metadata VDIs `pool.enable_ha` creates on the heartbeat SR (idempotent)."""
    for name, kind, size in (("Statefile for HA", "ha_statefile", 4 * MIB), ("Metadata for HA", "metadata", 256 * MIB)):
        if not any(v.type == kind for v in sr.vdis):
            sr.add_vdi(VDI(name, stable_uuid(lab_name, "VDI", kind, sr.uuid), size, kind))


def _sr_config(inv: Inventory, s: InvSR) -> dict[str, str]:
    if s.type == "lvmoiscsi":
        config = {
            "target": str(s.target),
            "port": "3260",
            "targetIQN": s.iqn or "",
            "SCSIid": scsi_id(s.iqn or "", s.lun),
        }
        if s.chap_user:
            config["chapuser"] = s.chap_user
            config["chappassword_secret"] = stable_uuid(inv.lab.name, "secret", s.name)
        return config
    if s.type == "iso":
        return {"location": s.location or "", "legacy_mode": "true"}
    return {"device": "/dev/sda3"} if s.type in ("lvm", "ext") else {}


def _lun_size(inv: Inventory, s: InvSR) -> int:
    """An iSCSI SR is as big as its LUN on the target; otherwise as the inventory says."""
    if s.type == "lvmoiscsi" and inv.storage is not None:
        for t in inv.storage.targets:
            for lun in t.luns:
                if t.iqn == s.iqn and lun.id == s.lun:
                    return int(lun.size_gib * GIB)
    return int((s.size_gib or 0) * GIB)


def _srs(inv: Inventory, hosts: list[str]) -> dict[str, SR]:
    srs = {}
    for s in inv.srs:
        pbd_hosts = inv.sr_hosts(s)
        description = {"lvmoiscsi": f"iSCSI SR [{s.target} ({s.iqn}; LUN {s.lun})]", "iso": "ISO library"}
        srs[s.name] = SR(
            name=s.name,
            uuid=stable_uuid(inv.lab.name, "SR", s.name),
            type=s.type,
            content_type=s.expected_content_type,
            role=s.role,
            shared=s.shared,
            physical_size=_lun_size(inv, s),
            pbds=[PBD(h, _sr_config(inv, s)) for h in pbd_hosts],
            target=str(s.target) if s.target else None,
            iqn=s.iqn,
            lun=s.lun,
            name_description=description.get(s.type, ""),
        )
        if s.role == "heartbeat" and inv.ha.enabled:
            add_ha_vdis(inv.lab.name, srs[s.name])
    for host in hosts:  # every XenServer host has its own local SR from installation
        srs[local_sr_key(host)] = SR(
            name="Local storage",
            uuid=stable_uuid(inv.lab.name, "SR", "local", host),
            type="lvm",
            content_type="user",
            role="local",
            shared=False,
            physical_size=LOCAL_SR_SIZE,
            pbds=[PBD(host, {"device": "/dev/sda3"})],
            name_description=f"Local storage on {host}",
        )
    return srs


def local_sr_key(host: str) -> str:
    """Where a host's local SR sits in ``Lab.srs`` (every host's is named "Local storage")."""
    return f"Local storage@{host}"


def _vm_disks(inv: Inventory, vms: dict[str, VM], srs: dict[str, SR]) -> None:
    """Each VM's system disk on the SR for VMs (its host's local SR if there is none), and an empty CD drive."""
    shared = next((sr for sr in srs.values() if sr.role == "vms"), None)
    placed = [(v.name, v.host) for v in inv.vms]
    if inv.xenmotion.template:
        placed.append((inv.xenmotion.template, inv.pool.hosts[0].name))
    for name, host in placed:
        vm, sr = vms[name], shared or srs[local_sr_key(host)]
        disk = sr.add_vdi(VDI(f"{name} 0", stable_uuid(inv.lab.name, "VDI", name), VM_DISK_SIZE))
        vm.vbds = [
            VBD(stable_uuid(inv.lab.name, "VBD", name, 0), disk.uuid, "0", "Disk", "RW", bootable=True),
            VBD(stable_uuid(inv.lab.name, "VBD", name, 3), None, "3", "CD", "RO"),
        ]


def _vms(inv: Inventory) -> dict[str, VM]:
    vms = {}
    for domid, v in enumerate(inv.vms, start=1):
        vms[v.name] = VM(
            name=v.name,
            uuid=stable_uuid(inv.lab.name, "VM", v.name),
            power_state="Running",
            resident_on=v.host,
            affinity=v.host,
            memory_bytes=v.memory_mib * MIB,
            network=v.network,
            address=str(v.address) if v.address else None,
            mac=stable_mac(inv.lab.name, "vm", v.name),
            ha_restart_priority=v.restart_priority,
            ha_always_run=bool(v.restart_priority),
            order=v.order,
            start_delay=v.start_delay,
            auto_poweron=v.auto_poweron,
            domid=domid,
        )
    if inv.xenmotion.template:
        vms[inv.xenmotion.template] = _template(inv, inv.xenmotion.template)
    return vms


def _template(inv: Inventory, name: str) -> VM:
    """The template the disposable test VMs are cloned from, as a lab prepared for this suite has it: halted,
    unprotected, a system disk on the SR for VMs, a VIF on the clone network (its clones get their address
    on that network when they boot)."""
    data = inv.network_by_purpose("data")
    return VM(
        name=name,
        uuid=stable_uuid(inv.lab.name, "VM", name),
        power_state="Halted",
        resident_on=None,
        affinity=None,
        memory_bytes=1024 * MIB,
        network=inv.xenmotion.clone_network or (data.name if data else None),
        address=None,
        mac=stable_mac(inv.lab.name, "vm", name),
        auto_poweron=False,
        is_template=True,
    )


def _storage(inv: Inventory) -> StorageServer | None:
    st = inv.storage
    if st is None:
        return None
    return StorageServer(
        name=st.name,
        portal=str(st.portal),
        network=st.network,
        mtu=st.mtu,
        net_addresses={k: str(v) for k, v in st.addresses.items()} or {st.network: str(st.portal)},
        nics={d: Nic(d, stable_mac(inv.lab.name, st.name, d)) for d in st.nics},
        targets=[Target(t.iqn, [Lun(lun.id, int(lun.size_gib * GIB)) for lun in t.luns]) for t in st.targets],
        chap_user=st.chap.username if st.chap else None,
        chap_password=st.chap.password if st.chap else None,
        bond=Bond("lacp", "src_mac", list(st.nics)),
        untagged_network=_untagged(inv, st.name),
    )


def build_lab(inv: Inventory) -> Lab:
    hosts = _hosts(inv)
    storage = _storage(inv)
    nics_of = {h.name: list(inv.bond.nics) for h in inv.pool.hosts}
    if storage is not None:
        nics_of[storage.name] = list(storage.nics)
    first = inv.pool.hosts[0].name
    heartbeat = inv.ha.heartbeat_sr if inv.ha.enabled else None
    default_sr = next((s.name for s in inv.srs if s.role == "vms"), None)
    pool = Pool(
        name=inv.pool.name,
        uuid=stable_uuid(inv.lab.name, "pool"),
        master=first,
        auto_poweron=inv.pool.auto_poweron,
        ha_enabled=inv.ha.enabled,
        ha_timeout_s=inv.ha.timeout_s,
        ha_failures_to_tolerate=inv.ha.failures_to_tolerate if inv.ha.enabled else 0,
        ha_heartbeat_sr=heartbeat,
        default_sr=default_sr,
    )
    networks = {
        n.name: Network(
            n.name,
            stable_uuid(inv.lab.name, "network", n.name),
            n.vlan,
            n.mtu,
            n.purpose,
            f"xapi{i}",
            str(n.subnet) if n.subnet else None,
            str(n.gateway) if n.gateway else None,
        )
        for i, n in enumerate(inv.networks)
    }
    srs = _srs(inv, list(hosts))
    vms = _vms(inv)
    _vm_disks(inv, vms, srs)
    lab = Lab(
        migration_downtime_ms=tuple(inv.xenmotion.simulated_downtime_ms),
        name=inv.lab.name,
        pool=pool,
        hosts=hosts,
        networks=networks,
        switches={sw.name: boot_switch(sw, inv) for sw in inv.switches},
        cables=_cables(inv, nics_of),
        srs=srs,
        vms=vms,
        storage=storage,
        probe=Probe(inv.probe.netns, [ProbePort(p.network, p.interface, str(p.address)) for p in inv.probe.interfaces]),
        secrets={
            stable_uuid(inv.lab.name, "secret", s.name): inv.storage.chap.password
            for s in inv.srs
            if s.type == "lvmoiscsi" and s.chap_user and inv.storage and inv.storage.chap
        },
    )
    # Imported here: importing simlab.faults registers every fault module, and some read the faces.
    from simlab.faults.registry import ActiveFaults

    lab.faults = ActiveFaults(lab)
    return lab
