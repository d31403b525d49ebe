"""Host networking: networks, PIFs and their metrics, bonds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from xenlab.xapi.typed import Record, XapiObject, flag, int64, ref, refs, strings, xapi_class

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts
    from xenlab.xapi.objects.pool import Host

UNTAGGED = -1  # XenAPI's VLAN of a PIF that carries untagged frames


@xapi_class("network")
@dataclass(frozen=True, kw_only=True)
class Network(XapiObject):
    name: str
    bridge: str
    mtu: int
    pif_refs: tuple[str, ...]
    other_config: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r["name_label"],
            bridge=r.get("bridge", ""),
            mtu=int64(r.get("MTU")),
            pif_refs=refs(r.get("PIFs", ())),
            other_config=strings(r.get("other_config")),
        )

    @property
    def pifs(self) -> tuple[PIF, ...]:
        return self.facts.get_all(PIF, self.pif_refs)


@xapi_class("PIF")
@dataclass(frozen=True, kw_only=True)
class PIF(XapiObject):
    device: str  # eth0, bond0
    vlan: int | None  # None: untagged
    mtu: int
    physical: bool
    management: bool
    currently_attached: bool
    ip: str
    host_ref: str | None
    network_ref: str | None
    metrics_ref: str | None
    bond_master_of_refs: tuple[str, ...]
    bond_slave_of_ref: str | None

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        vlan = int64(r.get("VLAN", UNTAGGED))
        return cls(
            **cls.common(ref_, r, facts),
            device=r["device"],
            vlan=None if vlan == UNTAGGED else vlan,
            mtu=int64(r.get("MTU")),
            physical=flag(r.get("physical", False)),
            management=flag(r.get("management", False)),
            currently_attached=flag(r.get("currently_attached", False)),
            ip=r.get("IP", ""),
            host_ref=ref(r.get("host")),
            network_ref=ref(r.get("network")),
            metrics_ref=ref(r.get("metrics")),
            bond_master_of_refs=refs(r.get("bond_master_of", ())),
            bond_slave_of_ref=ref(r.get("bond_slave_of")),
        )

    @property
    def host(self) -> Host | None:
        return self.facts.get("host", self.host_ref)

    @property
    def host_name(self) -> str | None:
        return self.host.name if self.host is not None else None

    @property
    def network(self) -> Network | None:
        return self.facts.get(Network, self.network_ref)

    @property
    def network_name(self) -> str | None:
        return self.network.name if self.network is not None else None

    @property
    def metrics(self) -> PIFMetrics | None:
        return self.facts.get(PIFMetrics, self.metrics_ref)

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
    carrier: bool
    speed: int  # Mbit/s
    duplex: bool

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            carrier=flag(r.get("carrier", False)),
            speed=int64(r.get("speed")),
            duplex=flag(r.get("duplex", False)),
        )


@xapi_class("Bond")
@dataclass(frozen=True, kw_only=True)
class Bond(XapiObject):
    mode: str  # lacp, balance-slb, active-backup
    hashing: str | None  # properties:hashing_algorithm; None when the bond does not say
    links_up: int
    master_ref: str | None
    slave_refs: tuple[str, ...]
    properties: dict[str, str]

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        properties = strings(r.get("properties"))
        return cls(
            **cls.common(ref_, r, facts),
            mode=r.get("mode", ""),
            hashing=properties.get("hashing_algorithm"),
            links_up=int64(r.get("links_up")),
            master_ref=ref(r.get("master")),
            slave_refs=refs(r.get("slaves", ())),
            properties=properties,
        )

    @property
    def master(self) -> PIF | None:
        return self.facts.get(PIF, self.master_ref)

    @property
    def device(self) -> str | None:
        """The bond's own device (bond0): its master PIF's."""
        return self.master.device if self.master is not None else None

    @property
    def host(self) -> Host | None:
        return self.master.host if self.master is not None else None

    @property
    def slaves(self) -> tuple[PIF, ...]:
        return self.facts.get_all(PIF, self.slave_refs)

    @property
    def slave_devices(self) -> list[str]:
        return sorted(p.device for p in self.slaves)
