"""Virtual machines and what their guest agent reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xenlab.xapi.typed import (
    Link,
    NameOf,
    XapiObject,
    flag,
    int64,
    other_config_flag,
    ref,
    refs,
    strings,
    wire,
    xapi_class,
)

if TYPE_CHECKING:
    from xenlab.xapi.objects.storage import VDI


@xapi_class("VM")
@dataclass(frozen=True, kw_only=True)
class VM(XapiObject):
    name: str = wire("name_label")
    power_state: str = wire("power_state")  # Running, Halted, Paused, Suspended
    is_control_domain: bool = wire("is_control_domain", flag)
    is_a_template: bool = wire("is_a_template", flag)
    is_a_snapshot: bool = wire("is_a_snapshot", flag)
    resident_on_ref: str | None = wire("resident_on", ref)
    affinity_ref: str | None = wire("affinity", ref)
    guest_metrics_ref: str | None = wire("guest_metrics", ref)
    metrics_ref: str | None = wire("metrics", ref)
    auto_poweron: bool | None = other_config_flag("auto_poweron")  # None when unset
    ha_restart_priority: str = wire("ha_restart_priority")
    ha_always_run: bool = wire("ha_always_run", flag)
    order: int = wire("order", int64)
    start_delay: int = wire("start_delay", int64)
    memory_static_max: int = wire("memory_static_max", int64)
    vif_refs: tuple[str, ...] = wire("VIFs", refs)
    vbd_refs: tuple[str, ...] = wire("VBDs", refs)
    other_config: dict[str, str] = wire("other_config", strings)

    host = Link["Host"]("host", "resident_on_ref")
    resident_on = NameOf("host")  # the name of the host the VM runs on; None when it runs nowhere
    affinity = NameOf("affinity_host")  # the name of the host the VM prefers to start on
    affinity_host = Link["Host"]("host", "affinity_ref")
    guest_metrics = Link["VMGuestMetrics"]("VM_guest_metrics", "guest_metrics_ref")
    metrics = Link["VMMetrics"]("VM_metrics", "metrics_ref")

    @property
    def is_guest(self) -> bool:
        """A guest VM: not a control domain, template or snapshot."""
        return not (self.is_control_domain or self.is_a_template or self.is_a_snapshot)

    @property
    def ha_protected(self) -> bool:
        """HA restarts it: ha_always_run and a priority other than best-effort (the HA design's "protected")."""
        return self.ha_always_run and self.ha_restart_priority not in ("", "best-effort")

    @property
    def running(self) -> bool:
        return self.power_state == "Running"

    @property
    def disks(self) -> tuple[VDI, ...]:
        """The VDIs of its disk VBDs (VM.VBDs -> VBD.VDI), CD drives left out."""
        return tuple(b.vdi for b in self.facts.get_all("VBD", self.vbd_refs) if b.is_disk and b.vdi is not None)

    @property
    def pv_drivers_detected(self) -> bool:
        """The guest agent reports PV drivers; a VM without guest metrics has none anyone saw."""
        return self.guest_metrics is not None and self.guest_metrics.pv_drivers_detected

    @property
    def vifs(self) -> list[VIF]:
        return sorted(self.facts.get_all("VIF", self.vif_refs), key=lambda v: v.device)

    @property
    def address(self) -> str | None:
        """The guest's first IPv4 address, as its agent reports it (VM_guest_metrics networks 0/ip)."""
        return self.guest_metrics.address if self.guest_metrics is not None else None


@xapi_class("VM_guest_metrics")
@dataclass(frozen=True, kw_only=True)
class VMGuestMetrics(XapiObject):
    pv_drivers_detected: bool = wire("PV_drivers_detected", flag)
    pv_drivers_up_to_date: bool = wire("PV_drivers_up_to_date", flag)
    pv_drivers_version: dict[str, str] = wire("PV_drivers_version", strings)
    os_version: dict[str, str] = wire("os_version", strings)
    networks: dict[str, str] = wire("networks", strings)  # "0/ip" -> address

    @property
    def address(self) -> str | None:
        return self.networks.get("0/ip") or self.networks.get("0/ipv4/0") or None


@xapi_class("VIF")
@dataclass(frozen=True, kw_only=True)
class VIF(XapiObject):
    device: str = wire("device")
    mac: str = wire("MAC")
    mtu: int = wire("MTU", int64)
    currently_attached: bool = wire("currently_attached", flag)
    vm_ref: str | None = wire("VM", ref)
    network_ref: str | None = wire("network", ref)

    network_object = Link["Network"]("network", "network_ref")
    network = NameOf("network_object")  # the name of the network the VIF is on


@xapi_class("VM_metrics")
@dataclass(frozen=True, kw_only=True)
class VMMetrics(XapiObject):
    memory_actual: int = wire("memory_actual", int64)
    vcpus_number: int = wire("VCPUs_number", int64)
    start_time: str = wire("start_time")
