"""Host networking: networks, PIFs and their metrics, bonds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xenlab.xapi.typed import (
    Link,
    Links,
    NameOf,
    XapiObject,
    derived,
    flag,
    int64,
    ref,
    refs,
    strings,
    wire,
    xapi_class,
)

if TYPE_CHECKING:
    from xenlab.xapi.objects.pool import Host

UNTAGGED = -1  # XenAPI's VLAN of a PIF that carries untagged frames


def _vlan(record: dict) -> int | None:
    vlan = int64(record.get("VLAN", UNTAGGED))
    return None if vlan == UNTAGGED else vlan


@xapi_class("network")
@dataclass(frozen=True, kw_only=True)
class Network(XapiObject):
    name: str = wire("name_label")
    bridge: str = wire("bridge")
    mtu: int = wire("MTU", int64)
    pif_refs: tuple[str, ...] = wire("PIFs", refs)
    other_config: dict[str, str] = wire("other_config", strings)

    pifs = Links["PIF"]("PIF", "pif_refs")


@xapi_class("PIF")
@dataclass(frozen=True, kw_only=True)
class PIF(XapiObject):
    device: str = wire("device")  # eth0, bond0
    vlan: int | None = derived(_vlan)  # None: untagged
    mtu: int = wire("MTU", int64)
    physical: bool = wire("physical", flag)
    management: bool = wire("management", flag)
    currently_attached: bool = wire("currently_attached", flag)
    ip: str = wire("IP")
    host_ref: str | None = wire("host", ref)
    network_ref: str | None = wire("network", ref)
    metrics_ref: str | None = wire("metrics", ref)
    bond_master_of_refs: tuple[str, ...] = wire("bond_master_of", refs)
    bond_slave_of_ref: str | None = wire("bond_slave_of", ref)

    host = Link["Host"]("host", "host_ref")
    host_name = NameOf("host")
    network = Link["Network"]("network", "network_ref")
    network_name = NameOf("network")
    metrics = Link["PIFMetrics"]("PIF_metrics", "metrics_ref")

    @property
    def carrier(self) -> bool:
        """PIF_metrics.carrier; a PIF without metrics has no carrier anyone saw."""
        return self.metrics is not None and self.metrics.carrier

    @property
    def tagging(self) -> str:
        """How the PIF carries its network, for messages: ``VLAN 30`` or ``untagged``."""
        return "untagged" if self.vlan is None else f"VLAN {self.vlan}"


@xapi_class("PIF_metrics")
@dataclass(frozen=True, kw_only=True)
class PIFMetrics(XapiObject):
    carrier: bool = wire("carrier", flag)
    speed: int = wire("speed", int64)  # Mbit/s
    duplex: bool = wire("duplex", flag)


@xapi_class("Bond")
@dataclass(frozen=True, kw_only=True)
class Bond(XapiObject):
    mode: str = wire("mode")  # lacp, balance-slb, active-backup
    # properties:hashing_algorithm; None when the bond does not say
    hashing: str | None = derived(lambda r: strings(r.get("properties")).get("hashing_algorithm"))
    links_up: int = wire("links_up", int64)
    master_ref: str | None = wire("master", ref)
    slave_refs: tuple[str, ...] = wire("slaves", refs)
    properties: dict[str, str] = wire("properties", strings)

    master = Link["PIF"]("PIF", "master_ref")
    slaves = Links["PIF"]("PIF", "slave_refs")

    @property
    def device(self) -> str | None:
        """The bond's own device (bond0): its master PIF's."""
        return self.master.device if self.master is not None else None

    @property
    def host(self) -> Host | None:
        return self.master.host if self.master is not None else None

    @property
    def slave_devices(self) -> list[str]:
        return sorted(p.device for p in self.slaves)
