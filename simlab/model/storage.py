"""The storage part of the twin's model: the target's LUNs, SRs, their PBDs, VDIs and the VBDs joining VMs to them.

How the XenAPI references map onto it (records are derived by the XenAPI face, never stored):

- ``SR.VDIs`` is ``SR.vdis``; ``VDI.SR`` is the SR holding the VDI (``Lab.sr_of_vdi``).
- ``VM.VBDs`` is ``VM.vbds``; ``VBD.VDI`` is ``VBD.vdi`` (a VDI uuid, None for an empty CD drive);
  ``VDI.VBDs`` are the VBDs naming it (``Lab.vbds_of_vdi``).
- ``SR.physical_utilisation`` is computed from its VDIs' ``physical_utilisation`` (a clone made copy-on-write
  starts with a small ``physical_utilisation`` and the ``parent`` it shares blocks with), plus the volume
  group's own metadata on LVM SRs: what a real SR reports grows with real allocations.
- On an iSCSI (``lvmoiscsi``) SR every VDI owns a ``Region`` of the SR's LUN, allocated first-fit after
  the volume group header, as LVM allocates logical volumes. The HA statefile is such a region: hosts read
  and write it over their own iSCSI session (``PBD.session``, see ``simlab.storage.fabric``).
- ``PBD.attached`` is ``currently_attached``: true once a plug succeeded (a real iSCSI login when the
  storage face runs) and until an unplug, as xapi reports it; the session's own state (logged in,
  failed) is what dom0's ``iscsiadm`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECTOR = 512
MIB = 1024**2
GIB = 1024**3
LVM_HEADER = 8 * MIB  # the volume group's metadata area at the start of an LVM SR's LUN
ISCSI_TYPES = ("lvmoiscsi",)


@dataclass(frozen=True)
class Region:
    """A byte range of an SR's LUN."""

    offset: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size

    def first_lba(self, block_size: int = SECTOR) -> int:
        return self.offset // block_size

    def blocks(self, block_size: int = SECTOR) -> int:
        return self.size // block_size


@dataclass
class VDI:
    name: str
    uuid: str
    virtual_size: int
    type: str = "user"  # user | ha_statefile | metadata | iso | ...
    physical_utilisation: int | None = None  # None: fully allocated (thick LVM), i.e. virtual_size
    region: Region | None = None  # where its blocks live on an iSCSI SR's LUN
    parent: str | None = None  # the uuid of the VDI it was cloned from (copy-on-write)
    read_only: bool = False
    sharable: bool = False

    @property
    def used(self) -> int:
        return self.virtual_size if self.physical_utilisation is None else self.physical_utilisation


@dataclass
class VBD:
    uuid: str
    vdi: str | None  # VDI uuid; None for an empty CD drive
    userdevice: str = "0"
    type: str = "Disk"  # Disk | CD
    mode: str = "RW"  # RW | RO
    bootable: bool = False

    @property
    def device(self) -> str:
        return f"xvd{chr(ord('a') + int(self.userdevice))}" if self.userdevice.isdigit() else self.userdevice


@dataclass
class PBD:
    host: str
    device_config: dict[str, str]
    attached: bool = True
    # The host's iSCSI session (xenlab.iscsi.Session) while plugged with the storage face up; None otherwise.
    session: Any = field(default=None, repr=False, compare=False)
    last_error: str | None = None  # why the last plug failed, for the twin's log


@dataclass
class SR:
    name: str
    uuid: str
    type: str
    content_type: str
    role: str
    shared: bool
    physical_size: int
    pbds: list[PBD]
    vdis: list[VDI] = field(default_factory=list)
    target: str | None = None
    iqn: str | None = None
    lun: int | None = None
    name_description: str = ""

    @property
    def is_iscsi(self) -> bool:
        return self.type in ISCSI_TYPES

    @property
    def physical_utilisation(self) -> int:
        header = LVM_HEADER if self.type.startswith("lvm") else 0
        return header + sum(v.used for v in self.vdis)

    @property
    def virtual_allocation(self) -> int:
        return sum(v.virtual_size for v in self.vdis)

    def pbd_of(self, host: str) -> PBD | None:
        return next((p for p in self.pbds if p.host == host), None)

    def allocate(self, size: int) -> Region | None:
        """First fit after the volume group header, block aligned; None on SRs without LUN regions."""
        if not self.is_iscsi:
            return None
        size = -(-size // MIB) * MIB  # LVM extents
        taken = sorted((v.region for v in self.vdis if v.region is not None), key=lambda r: r.offset)
        start = LVM_HEADER
        for region in taken:
            if start + size <= region.offset:
                break
            start = max(start, region.end)
        return Region(start, size)

    def add_vdi(self, vdi: VDI) -> VDI:
        if vdi.region is None and vdi.type != "iso":
            vdi.region = self.allocate(vdi.virtual_size)
        self.vdis.append(vdi)
        return vdi


@dataclass
class Lun:
    id: int
    size_bytes: int


@dataclass
class Target:
    iqn: str
    luns: list[Lun]

    def lun(self, lun_id: int) -> Lun | None:
        return next((lun for lun in self.luns if lun.id == lun_id), None)
