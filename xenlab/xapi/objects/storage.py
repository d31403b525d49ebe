"""Storage: SRs, their PBDs (one per host that plugs the SR), their VDIs, the VBDs joining VMs to them, secrets.

Secrets are collected for their uuids only: ``collect_facts`` replaces every secret's value with ***
before anything keeps it, so a check can say a PBD's CHAP secret exists without ever holding it.
"""

from __future__ import annotations

from dataclasses import dataclass

from xenlab.xapi.typed import Link, Links, NameOf, XapiObject, flag, int64, ref, refs, strings, wire, xapi_class


@xapi_class("SR")
@dataclass(frozen=True, kw_only=True)
class SR(XapiObject):
    name: str = wire("name_label")
    type: str = wire("type")  # lvmoiscsi, iso, nfs, ...
    content_type: str = wire("content_type")  # iso for an ISO library
    shared: bool = wire("shared", flag)
    physical_size: int = wire("physical_size", int64)
    physical_utilisation: int = wire("physical_utilisation", int64)
    pbd_refs: tuple[str, ...] = wire("PBDs", refs)
    vdi_refs: tuple[str, ...] = wire("VDIs", refs)
    other_config: dict[str, str] = wire("other_config", strings)
    sm_config: dict[str, str] = wire("sm_config", strings)

    pbds = Links["PBD"]("PBD", "pbd_refs")
    vdis = Links["VDI"]("VDI", "vdi_refs")

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
    currently_attached: bool = wire("currently_attached", flag)
    device_config: dict[str, str] = wire("device_config", strings)  # CHAP secrets already redacted
    host_ref: str | None = wire("host", ref)
    sr_ref: str | None = wire("SR", ref)

    host = Link["Host"]("host", "host_ref")
    host_name = NameOf("host")
    sr = Link["SR"]("SR", "sr_ref")

    @property
    def chap_user(self) -> str | None:
        return self.device_config.get("chapuser") or None

    @property
    def chap_secret_uuid(self) -> str | None:
        return self.device_config.get("chappassword_secret") or None


@xapi_class("VDI")
@dataclass(frozen=True, kw_only=True)
class VDI(XapiObject):
    name: str = wire("name_label")
    type: str = wire("type")  # user, system, ha_statefile, redo_log, metadata
    virtual_size: int = wire("virtual_size", int64)
    sharable: bool = wire("sharable", flag)
    read_only: bool = wire("read_only", flag)
    sr_ref: str | None = wire("SR", ref)
    vbd_refs: tuple[str, ...] = wire("VBDs", refs)
    physical_utilisation: int = wire("physical_utilisation", int64)

    sr = Link["SR"]("SR", "sr_ref")
    vbds = Links["VBD"]("VBD", "vbd_refs")


@xapi_class("VBD")
@dataclass(frozen=True, kw_only=True)
class VBD(XapiObject):
    type: str = wire("type")  # Disk | CD
    mode: str = wire("mode")  # RW | RO
    userdevice: str = wire("userdevice")
    empty: bool = wire("empty", flag)
    currently_attached: bool = wire("currently_attached", flag)
    vm_ref: str | None = wire("VM", ref)
    vdi_ref: str | None = wire("VDI", ref)

    vdi = Link["VDI"]("VDI", "vdi_ref")

    @property
    def is_disk(self) -> bool:
        return self.type == "Disk" and not self.empty


@xapi_class("secret")
@dataclass(frozen=True, kw_only=True)
class Secret(XapiObject):
    """A xapi secret: its uuid only (the value is never collected)."""
