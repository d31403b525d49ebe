"""Virtual machines and what their guest agent reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from xenlab.xapi.typed import Record, XapiObject, flag, int64, optional_flag, ref, refs, strings, xapi_class

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts
    from xenlab.xapi.objects.pool import Host
    from xenlab.xapi.objects.storage import VDI


@xapi_class("VM")
@dataclass(frozen=True, kw_only=True)
class VM(XapiObject):
    name: str
    power_state: str  # Running, Halted, Paused, Suspended
    is_control_domain: bool
    is_a_template: bool
    is_a_snapshot: bool
    resident_on_ref: str | None
    affinity_ref: str | None
    guest_metrics_ref: str | None
    metrics_ref: str | None
    auto_poweron: bool | None  # other_config:auto_poweron; None when unset
    ha_restart_priority: str
    ha_always_run: bool
    order: int
    start_delay: int
    memory_static_max: int
    vif_refs: tuple[str, ...]
    vbd_refs: tuple[str, ...]
    other_config: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r["name_label"],
            power_state=r.get("power_state", ""),
            is_control_domain=flag(r.get("is_control_domain", False)),
            is_a_template=flag(r.get("is_a_template", False)),
            is_a_snapshot=flag(r.get("is_a_snapshot", False)),
            resident_on_ref=ref(r.get("resident_on")),
            affinity_ref=ref(r.get("affinity")),
            guest_metrics_ref=ref(r.get("guest_metrics")),
            metrics_ref=ref(r.get("metrics")),
            auto_poweron=optional_flag(r.get("other_config", {}).get("auto_poweron")),
            ha_restart_priority=r.get("ha_restart_priority", ""),
            ha_always_run=flag(r.get("ha_always_run", False)),
            order=int64(r.get("order")),
            start_delay=int64(r.get("start_delay")),
            memory_static_max=int64(r.get("memory_static_max")),
            vif_refs=refs(r.get("VIFs", ())),
            vbd_refs=refs(r.get("VBDs", ())),
            other_config=strings(r.get("other_config")),
        )

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
    def host(self) -> Host | None:
        return self.facts.get("host", self.resident_on_ref)

    @property
    def resident_on(self) -> str | None:
        """The name of the host the VM runs on; None when it runs nowhere."""
        return self.host.name if self.host is not None else None

    @property
    def affinity(self) -> str | None:
        """The name of the host the VM prefers to start on."""
        host = self.facts.get("host", self.affinity_ref)
        return host.name if host is not None else None

    @property
    def disks(self) -> tuple[VDI, ...]:
        """The VDIs of its disk VBDs (VM.VBDs -> VBD.VDI), CD drives left out."""
        from xenlab.xapi.objects.storage import VBD

        return tuple(b.vdi for b in self.facts.get_all(VBD, self.vbd_refs) if b.is_disk and b.vdi is not None)

    @property
    def guest_metrics(self) -> VMGuestMetrics | None:
        return self.facts.get(VMGuestMetrics, self.guest_metrics_ref)

    @property
    def pv_drivers_detected(self) -> bool:
        """The guest agent reports PV drivers; a VM without guest metrics has none anyone saw."""
        return self.guest_metrics is not None and self.guest_metrics.pv_drivers_detected

    @property
    def vifs(self) -> list[VIF]:
        return sorted(self.facts.get_all(VIF, self.vif_refs), key=lambda v: v.device)

    @property
    def metrics(self) -> VMMetrics | None:
        return self.facts.get(VMMetrics, self.metrics_ref)

    @property
    def address(self) -> str | None:
        """The guest's first IPv4 address, as its agent reports it (VM_guest_metrics networks 0/ip)."""
        return self.guest_metrics.address if self.guest_metrics is not None else None


@xapi_class("VM_guest_metrics")
@dataclass(frozen=True, kw_only=True)
class VMGuestMetrics(XapiObject):
    pv_drivers_detected: bool
    pv_drivers_up_to_date: bool
    pv_drivers_version: dict[str, str]
    os_version: dict[str, str]
    networks: dict[str, str]  # "0/ip" -> address

    @property
    def address(self) -> str | None:
        return self.networks.get("0/ip") or self.networks.get("0/ipv4/0") or None

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            pv_drivers_detected=flag(r.get("PV_drivers_detected", False)),
            pv_drivers_up_to_date=flag(r.get("PV_drivers_up_to_date", False)),
            pv_drivers_version=strings(r.get("PV_drivers_version")),
            os_version=strings(r.get("os_version")),
            networks=strings(r.get("networks")),
        )


@xapi_class("VIF")
@dataclass(frozen=True, kw_only=True)
class VIF(XapiObject):
    device: str
    mac: str
    mtu: int
    currently_attached: bool
    vm_ref: str | None
    network_ref: str | None

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            device=r.get("device", ""),
            mac=r.get("MAC", ""),
            mtu=int64(r.get("MTU")),
            currently_attached=flag(r.get("currently_attached", False)),
            vm_ref=ref(r.get("VM")),
            network_ref=ref(r.get("network")),
        )

    @property
    def network(self) -> str | None:
        """The name of the network the VIF is on."""
        network = self.facts.get("network", self.network_ref)
        return network.name if network is not None else None


@xapi_class("VM_metrics")
@dataclass(frozen=True, kw_only=True)
class VMMetrics(XapiObject):
    memory_actual: int
    vcpus_number: int
    start_time: str

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            memory_actual=int64(r.get("memory_actual")),
            vcpus_number=int64(r.get("VCPUs_number")),
            start_time=str(r.get("start_time", "")),
        )
