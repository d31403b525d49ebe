"""The pool, its hosts and their metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xenlab.xapi.typed import (
    Link,
    Links,
    XapiObject,
    derived,
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
    from xenlab.xapi.objects.network import PIF, Bond


@xapi_class("pool")
@dataclass(frozen=True, kw_only=True)
class Pool(XapiObject):
    name: str = wire("name_label")
    master_ref: str | None = wire("master", ref)
    default_sr_ref: str | None = wire("default_SR", ref)
    ha_enabled: bool = wire("ha_enabled", flag)
    ha_host_failures_to_tolerate: int = wire("ha_host_failures_to_tolerate", int64)
    ha_statefile_refs: tuple[str, ...] = wire("ha_statefiles", refs)
    ha_plan_exists_for: int = wire("ha_plan_exists_for", int64)
    ha_overcommitted: bool = wire("ha_overcommitted", flag)
    ha_allow_overcommit: bool = wire("ha_allow_overcommit", flag)
    ha_configuration: dict[str, str] = wire("ha_configuration", strings)  # timeout (T, seconds) among others
    auto_poweron: bool | None = other_config_flag("auto_poweron")  # None when unset
    other_config: dict[str, str] = wire("other_config", strings)

    master = Link["Host"]("host", "master_ref")
    ha_statefiles = Links["VDI"]("VDI", "ha_statefile_refs")  # the statefile VDIs

    @property
    def ha_timeout(self) -> int | None:
        """The HA timeout T in seconds (ha_configuration:timeout); None when HA does not say."""
        value = self.ha_configuration.get("timeout", "")
        return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Cpu:
    vendor: str
    model: str
    count: int

    def __str__(self) -> str:
        return f"{self.vendor} {self.model} x{self.count}"


def _cpu(record: dict) -> Cpu:
    info = record.get("cpu_info") or {}
    return Cpu(info.get("vendor", ""), info.get("modelname", ""), int64(info.get("cpu_count")))


@xapi_class("host")
@dataclass(frozen=True, kw_only=True)
class Host(XapiObject):
    name: str = wire("name_label")
    address: str = wire("address")
    enabled: bool = wire("enabled", flag)
    cpu: Cpu = derived(_cpu)
    metrics_ref: str | None = wire("metrics", ref)
    pif_refs: tuple[str, ...] = wire("PIFs", refs)
    pbd_refs: tuple[str, ...] = wire("PBDs", refs)
    resident_vm_refs: tuple[str, ...] = wire("resident_VMs", refs)
    software_version: dict[str, str] = wire("software_version", strings)
    other_config: dict[str, str] = wire("other_config", strings)

    metrics = Link["HostMetrics"]("host_metrics", "metrics_ref")
    pifs = Links["PIF"]("PIF", "pif_refs")
    pbds = Links["PBD"]("PBD", "pbd_refs")
    resident_vms = Links["VM"]("VM", "resident_vm_refs")

    @property
    def live(self) -> bool:
        """host_metrics.live; a host without metrics is not live."""
        return self.metrics is not None and self.metrics.live

    @property
    def memory_total(self) -> int | None:
        return self.metrics.memory_total if self.metrics is not None else None

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


@xapi_class("host_metrics")
@dataclass(frozen=True, kw_only=True)
class HostMetrics(XapiObject):
    live: bool = wire("live", flag)
    memory_total: int = wire("memory_total", int64)
    memory_free: int = wire("memory_free", int64)
