"""XenAPI facts: one ``get_all_records`` per class, then typed lookups over the records.

Calls are independent of the number of objects. Facts are plain JSON (datetimes as
strings, CHAP passwords redacted) so the gate can save and diff them.
"""

from __future__ import annotations

import time
import xmlrpc.client
from dataclasses import dataclass, field
from typing import Any

import XenAPI

from xenlab.xapi.session import XapiSession

Record = dict[str, Any]
NULL = "OpaqueRef:NULL"
CLASSES = ("pool", "host", "host_metrics", "host_cpu", "network", "PIF", "PIF_metrics", "Bond", "VLAN",
           "SR", "PBD", "VDI", "VM", "VM_guest_metrics")
OPTIONAL = {"host_cpu"}  # not every xapi exposes it to every role
REDACTED = "***"


def _plain(value: Any, key: str = "") -> Any:
    """JSON-ready: xmlrpc DateTime -> ISO string; secrets in maps -> ***."""
    if isinstance(value, xmlrpc.client.DateTime):
        return value.value
    if isinstance(value, dict):
        return {str(k): (REDACTED if str(k).lower().startswith("chappassword") else _plain(v, str(k)))
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass
class XapiFacts:
    records: dict[str, dict[str, Record]]
    master_url: str = ""
    collected_at: float = field(default_factory=time.time)

    # -- generic -------------------------------------------------------------------------------
    def all(self, cls: str) -> dict[str, Record]:
        return self.records.get(cls, {})

    def get(self, cls: str, ref: str) -> Record | None:
        return self.records.get(cls, {}).get(ref)

    def _by_name(self, cls: str) -> dict[str, Record]:
        return {rec["name_label"]: rec for rec in self.all(cls).values()}

    # -- pool and hosts -------------------------------------------------------------------------
    @property
    def pool(self) -> Record:
        return next(iter(self.all("pool").values()))

    def pool_master(self) -> Record | None:
        return self.get("host", self.pool["master"])

    def hosts_by_name(self) -> dict[str, Record]:
        return self._by_name("host")

    def host(self, name: str) -> Record | None:
        return self.hosts_by_name().get(name)

    def host_metrics(self, host: Record) -> Record | None:
        return self.get("host_metrics", host["metrics"])

    def host_cpus(self, host: Record) -> list[Record]:
        return [self.all("host_cpu")[r] for r in host.get("host_CPUs", []) if r in self.all("host_cpu")]

    # -- VMs --------------------------------------------------------------------------------------
    def vms_by_name(self) -> dict[str, Record]:
        """Guest VMs only: control domains, templates and snapshots left out."""
        return {rec["name_label"]: rec for rec in self.all("VM").values()
                if not (rec["is_control_domain"] or rec["is_a_template"] or rec["is_a_snapshot"])}

    def vm(self, name: str) -> Record | None:
        return self.vms_by_name().get(name)

    def guest_metrics(self, vm: Record) -> Record | None:
        return self.get("VM_guest_metrics", vm["guest_metrics"])

    def host_name_of(self, ref: str) -> str | None:
        host = self.get("host", ref)
        return host["name_label"] if host else None

    # -- storage --------------------------------------------------------------------------------
    def srs_by_name(self) -> dict[str, Record]:
        return self._by_name("SR")

    def pbds_of(self, sr: Record) -> list[Record]:
        return [self.all("PBD")[r] for r in sr["PBDs"] if r in self.all("PBD")]

    # -- networking -----------------------------------------------------------------------------
    def networks_by_name(self) -> dict[str, Record]:
        return self._by_name("network")

    def pifs_of(self, host: Record) -> list[Record]:
        return [self.all("PIF")[r] for r in host["PIFs"] if r in self.all("PIF")]

    def bonds_of(self, host: Record) -> list[Record]:
        """The host's bonds (a bond belongs to the host of its master PIF)."""
        pifs = set(host["PIFs"])
        return [b for b in self.all("Bond").values() if b["master"] in pifs]

    def pif_metrics(self, pif: Record) -> Record | None:
        return self.get("PIF_metrics", pif["metrics"])

    def host_pif_on(self, host: Record, network: str) -> Record | None:
        """The host's PIF on the network named ``network`` (None when the host has none there)."""
        refs = {r for r, rec in self.all("network").items() if rec["name_label"] == network}
        return next((p for p in self.pifs_of(host) if p["network"] in refs), None)

    # -- persistence ----------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {"collected_at": self.collected_at, "master_url": self.master_url, "xapi": self.records}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> XapiFacts:
        return cls(data["xapi"], data.get("master_url", ""), data.get("collected_at", 0.0))


def collect_facts(session: XapiSession) -> XapiFacts:
    """One ``get_all_records`` per class, never one call per object."""
    records: dict[str, dict[str, Record]] = {}
    for cls in CLASSES:
        try:
            records[cls] = _plain(getattr(session.xenapi, cls).get_all_records())
        except XenAPI.Failure as exc:
            if cls in OPTIONAL and exc.details[:1] == ["MESSAGE_METHOD_UNKNOWN"]:
                records[cls] = {}
                continue
            raise
    return XapiFacts(records, session.url)
