"""Storage: SRs, their PBDs (one per host that plugs the SR), their VDIs, the VBDs joining VMs to them, secrets.

Secrets are collected for their uuids only: ``collect_facts`` replaces every secret's value with ***
before anything keeps it, so a check can say a PBD's CHAP secret exists without ever holding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from xenlab.xapi.typed import Record, XapiObject, flag, int64, ref, refs, strings, xapi_class

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts
    from xenlab.xapi.objects.pool import Host


@xapi_class("SR")
@dataclass(frozen=True, kw_only=True)
class SR(XapiObject):
    name: str
    type: str  # lvmoiscsi, iso, nfs, ...
    content_type: str  # iso for an ISO library
    shared: bool
    physical_size: int
    physical_utilisation: int
    pbd_refs: tuple[str, ...]
    vdi_refs: tuple[str, ...]
    other_config: dict[str, str]
    sm_config: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r["name_label"],
            type=r.get("type", ""),
            content_type=r.get("content_type", ""),
            shared=flag(r.get("shared", False)),
            physical_size=int64(r.get("physical_size")),
            physical_utilisation=int64(r.get("physical_utilisation")),
            pbd_refs=refs(r.get("PBDs", ())),
            vdi_refs=refs(r.get("VDIs", ())),
            other_config=strings(r.get("other_config")),
            sm_config=strings(r.get("sm_config")),
        )

    @property
    def pbds(self) -> tuple[PBD, ...]:
        return self.facts.get_all(PBD, self.pbd_refs)

    @property
    def vdis(self) -> tuple[VDI, ...]:
        return self.facts.get_all(VDI, self.vdi_refs)

    def pbd_on(self, host: str) -> PBD | None:
        """The SR's PBD on the host named ``host``."""
        return next((p for p in self.pbds if p.host_name == host), None)

    @property
    def utilisation_pct(self) -> float:
        return 100.0 * self.physical_utilisation / self.physical_size if self.physical_size else 0.0

    def plugged_on(self) -> set[str]:
        """The names of the hosts where the SR's PBD is attached."""
        return {p.host_name for p in self.pbds if p.currently_attached and p.host_name}

    def properly_shared(self, hosts: set[str]) -> bool:
        """xapi's HA "agile" test: shared, and plugged on every one of ``hosts``."""
        return self.shared and hosts <= self.plugged_on()


@xapi_class("PBD")
@dataclass(frozen=True, kw_only=True)
class PBD(XapiObject):
    currently_attached: bool
    device_config: dict[str, str]  # CHAP secrets already redacted
    host_ref: str | None
    sr_ref: str | None

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            currently_attached=flag(r.get("currently_attached", False)),
            device_config=strings(r.get("device_config")),
            host_ref=ref(r.get("host")),
            sr_ref=ref(r.get("SR")),
        )

    @property
    def host(self) -> Host | None:
        return self.facts.get("host", self.host_ref)

    @property
    def host_name(self) -> str | None:
        return self.host.name if self.host is not None else None

    @property
    def sr(self) -> SR | None:
        return self.facts.get(SR, self.sr_ref)

    @property
    def chap_user(self) -> str | None:
        return self.device_config.get("chapuser") or None

    @property
    def chap_secret_uuid(self) -> str | None:
        return self.device_config.get("chappassword_secret") or None


@xapi_class("VDI")
@dataclass(frozen=True, kw_only=True)
class VDI(XapiObject):
    name: str
    type: str  # user, system, ha_statefile, redo_log, metadata
    virtual_size: int
    sharable: bool
    read_only: bool
    sr_ref: str | None
    vbd_refs: tuple[str, ...]
    physical_utilisation: int

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r.get("name_label", ""),
            type=r.get("type", ""),
            virtual_size=int64(r.get("virtual_size")),
            sharable=flag(r.get("sharable", False)),
            read_only=flag(r.get("read_only", False)),
            sr_ref=ref(r.get("SR")),
            vbd_refs=refs(r.get("VBDs", ())),
            physical_utilisation=int64(r.get("physical_utilisation")),
        )

    @property
    def sr(self) -> SR | None:
        return self.facts.get(SR, self.sr_ref)

    @property
    def vbds(self) -> tuple[VBD, ...]:
        return self.facts.get_all(VBD, self.vbd_refs)


@xapi_class("VBD")
@dataclass(frozen=True, kw_only=True)
class VBD(XapiObject):
    type: str  # Disk | CD
    mode: str  # RW | RO
    userdevice: str
    empty: bool
    currently_attached: bool
    vm_ref: str | None
    vdi_ref: str | None

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            type=r.get("type", ""),
            mode=r.get("mode", ""),
            userdevice=str(r.get("userdevice", "")),
            empty=flag(r.get("empty", False)),
            currently_attached=flag(r.get("currently_attached", False)),
            vm_ref=ref(r.get("VM")),
            vdi_ref=ref(r.get("VDI")),
        )

    @property
    def vdi(self) -> VDI | None:
        return self.facts.get(VDI, self.vdi_ref)

    @property
    def is_disk(self) -> bool:
        return self.type == "Disk" and not self.empty


@xapi_class("secret")
@dataclass(frozen=True, kw_only=True)
class Secret(XapiObject):
    """A xapi secret: its uuid only (the value is never collected)."""

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(**cls.common(ref_, r, facts))
