"""The pool, its hosts and their metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from xenlab.xapi.typed import Record, XapiObject, flag, int64, optional_flag, ref, refs, strings, xapi_class

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts
    from xenlab.xapi.objects.network import PIF, Bond
    from xenlab.xapi.objects.storage import PBD, VDI
    from xenlab.xapi.objects.vm import VM


@xapi_class("pool")
@dataclass(frozen=True, kw_only=True)
class Pool(XapiObject):
    name: str
    master_ref: str | None
    default_sr_ref: str | None
    ha_enabled: bool
    ha_host_failures_to_tolerate: int
    ha_statefile_refs: tuple[str, ...]
    ha_plan_exists_for: int
    ha_overcommitted: bool
    ha_allow_overcommit: bool
    ha_configuration: dict[str, str]  # timeout (T, seconds) among others
    auto_poweron: bool | None  # other_config:auto_poweron; None when unset
    other_config: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r["name_label"],
            master_ref=ref(r.get("master")),
            default_sr_ref=ref(r.get("default_SR")),
            ha_enabled=flag(r.get("ha_enabled", False)),
            ha_host_failures_to_tolerate=int64(r.get("ha_host_failures_to_tolerate")),
            ha_statefile_refs=refs(r.get("ha_statefiles", ())),
            ha_plan_exists_for=int64(r.get("ha_plan_exists_for")),
            ha_overcommitted=flag(r.get("ha_overcommitted", False)),
            ha_allow_overcommit=flag(r.get("ha_allow_overcommit", False)),
            ha_configuration=strings(r.get("ha_configuration")),
            auto_poweron=optional_flag(r.get("other_config", {}).get("auto_poweron")),
            other_config=strings(r.get("other_config")),
        )

    @property
    def master(self) -> Host | None:
        return self.facts.get(Host, self.master_ref)

    @property
    def ha_timeout(self) -> int | None:
        """The HA timeout T in seconds (ha_configuration:timeout); None when HA does not say."""
        value = self.ha_configuration.get("timeout", "")
        return int(value) if value.isdigit() else None

    @property
    def ha_statefiles(self) -> tuple[VDI, ...]:
        """The statefile VDIs (pool.ha_statefiles holds their refs)."""
        from xenlab.xapi.objects.storage import VDI

        return tuple(v for v in (self.facts.get(VDI, r) for r in self.ha_statefile_refs) if v is not None)


@dataclass(frozen=True)
class Cpu:
    vendor: str
    model: str
    count: int

    def __str__(self) -> str:
        return f"{self.vendor} {self.model} x{self.count}"


@xapi_class("host")
@dataclass(frozen=True, kw_only=True)
class Host(XapiObject):
    name: str
    address: str
    enabled: bool
    cpu: Cpu
    metrics_ref: str | None
    pif_refs: tuple[str, ...]
    pbd_refs: tuple[str, ...]
    resident_vm_refs: tuple[str, ...]
    software_version: dict[str, str]
    other_config: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        info = r.get("cpu_info", {})
        return cls(
            **cls.common(ref_, r, facts),
            name=r["name_label"],
            address=r.get("address", ""),
            enabled=flag(r["enabled"]),
            cpu=Cpu(info.get("vendor", ""), info.get("modelname", ""), int64(info.get("cpu_count"))),
            metrics_ref=ref(r.get("metrics")),
            pif_refs=refs(r.get("PIFs", ())),
            pbd_refs=refs(r.get("PBDs", ())),
            resident_vm_refs=refs(r.get("resident_VMs", ())),
            software_version=strings(r.get("software_version")),
            other_config=strings(r.get("other_config")),
        )

    @property
    def metrics(self) -> HostMetrics | None:
        return self.facts.get(HostMetrics, self.metrics_ref)

    @property
    def live(self) -> bool:
        """host_metrics.live; a host without metrics is not live."""
        return self.metrics is not None and self.metrics.live

    @property
    def memory_total(self) -> int | None:
        return self.metrics.memory_total if self.metrics is not None else None

    @property
    def pifs(self) -> tuple[PIF, ...]:
        return self.facts.get_all("PIF", self.pif_refs)

    @property
    def bonds(self) -> tuple[Bond, ...]:
        """The host's bonds: a bond belongs to the host of its master PIF."""
        return tuple(b for b in self.facts.all("Bond").values() if b.master_ref in self.pif_refs)

    def pif_on(self, network: str) -> PIF | None:
        """The host's PIF on the network named ``network`` (None when it has none there)."""
        return next((p for p in self.pifs if p.network_name == network), None)

    def nic(self, device: str) -> PIF | None:
        """The physical PIF of NIC ``device`` (eth0)."""
        return next((p for p in self.pifs if p.physical and p.device == device), None)

    @property
    def pbds(self) -> tuple[PBD, ...]:
        return self.facts.get_all("PBD", self.pbd_refs)

    @property
    def resident_vms(self) -> tuple[VM, ...]:
        return self.facts.get_all("VM", self.resident_vm_refs)


@xapi_class("host_metrics")
@dataclass(frozen=True, kw_only=True)
class HostMetrics(XapiObject):
    live: bool
    memory_total: int
    memory_free: int

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            live=flag(r.get("live", False)),
            memory_total=int64(r.get("memory_total")),
            memory_free=int64(r.get("memory_free")),
        )
