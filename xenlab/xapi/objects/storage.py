"""Storage: SRs, their PBDs (one per host that plugs the SR) and their VDIs."""

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
        )

    @property
    def sr(self) -> SR | None:
        return self.facts.get(SR, self.sr_ref)
