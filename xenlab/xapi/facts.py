"""XenAPI facts: one ``get_all_records`` per class, built once into typed objects.

``records`` keeps the raw records (plain JSON: datetimes as strings, CHAP passwords
redacted), which is what ``learn`` saves and ``diff`` compares and what a failed check
carries as evidence. Checks read the typed objects only: ``facts.host("xen1").enabled``,
``facts.vm("web").resident_on``, ``pif.vlan``. How to add a class: ``xenlab.xapi.typed``.
"""

from __future__ import annotations

import time
import xmlrpc.client
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, overload

import XenAPI

from xenlab.xapi import objects as _objects  # noqa: F401  (registers every typed class)
from xenlab.xapi.objects import SR, VM, Host, Network, Pool
from xenlab.xapi.session import XapiSession
from xenlab.xapi.typed import REGISTRY, Record, XapiObject

# Collected raw only (no typed class yet): saved by learn, diffed, but read by no check.
RAW_ONLY = ("VLAN",)
OPTIONAL: set[str] = set()  # classes not every xapi exposes to every role: an empty table when refused
REDACTED = "***"

T = TypeVar("T", bound=XapiObject)


def classes() -> tuple[str, ...]:
    """Every XenAPI class collected: the typed ones, then the raw-only ones."""
    return (*REGISTRY, *(c for c in RAW_ONLY if c not in REGISTRY))


def _plain(value: Any, key: str = "") -> Any:
    """JSON-ready: xmlrpc DateTime -> ISO string; a CHAP password in a map -> *** (chappassword_secret names one)."""
    if isinstance(value, xmlrpc.client.DateTime):
        return value.value
    if isinstance(value, dict):
        return {str(k): (REDACTED if str(k).lower() == "chappassword" else _plain(v, str(k))) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _key(cls: type[XapiObject] | str) -> str:
    return cls if isinstance(cls, str) else cls.xapi_class


@dataclass
class XapiFacts:
    records: dict[str, dict[str, Record]]
    master_url: str = ""
    collected_at: float = field(default_factory=time.time)

    @cached_property
    def objects(self) -> dict[str, dict[str, XapiObject]]:
        """Every registered class's objects by reference, built once."""
        return {
            name: {ref: typed.from_record(ref, record, self) for ref, record in self.records.get(name, {}).items()}
            for name, typed in REGISTRY.items()
        }

    # -- any class ----------------------------------------------------------------------------
    @overload
    def all(self, cls: type[T]) -> dict[str, T]: ...
    @overload
    def all(self, cls: str) -> dict[str, Any]: ...
    def all(self, cls: type[T] | str) -> dict[str, Any]:
        """Every object of a class (the typed class or its XenAPI name), by reference."""
        return self.objects.get(_key(cls), {})

    @overload
    def get(self, cls: type[T], ref: str | None) -> T | None: ...
    @overload
    def get(self, cls: str, ref: str | None) -> Any: ...
    def get(self, cls: type[T] | str, ref: str | None) -> Any:
        """The object a reference points to; None for a null or dangling reference."""
        return self.all(cls).get(ref) if ref else None

    def get_all(self, cls: type[T] | str, refs: tuple[str, ...]) -> tuple[Any, ...]:
        """The objects references point to, dangling ones left out."""
        found = self.all(cls)
        return tuple(found[r] for r in refs if r in found)

    # -- by name ------------------------------------------------------------------------------
    @property
    def pool(self) -> Pool:
        return next(iter(self.all(Pool).values()))

    @property
    def hosts(self) -> dict[str, Host]:
        return {h.name: h for h in self.all(Host).values()}

    def host(self, name: str) -> Host | None:
        return self.hosts.get(name)

    @property
    def vms(self) -> dict[str, VM]:
        """Guest VMs by name: control domains, templates and snapshots left out."""
        return {v.name: v for v in self.all(VM).values() if v.is_guest}

    def vm(self, name: str) -> VM | None:
        return self.vms.get(name)

    @property
    def srs(self) -> dict[str, SR]:
        return {s.name: s for s in self.all(SR).values()}

    def sr(self, name: str) -> SR | None:
        return self.srs.get(name)

    @property
    def secret_uuids(self) -> set[str]:
        return {s.uuid for s in self.all("secret").values()}

    @property
    def networks(self) -> dict[str, Network]:
        return {n.name: n for n in self.all(Network).values()}

    def network(self, name: str) -> Network | None:
        return self.networks.get(name)

    # -- persistence --------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {"collected_at": self.collected_at, "master_url": self.master_url, "xapi": self.records}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> XapiFacts:
        return cls(data["xapi"], data.get("master_url", ""), data.get("collected_at", 0.0))


def collect_facts(session: XapiSession) -> XapiFacts:
    """One ``get_all_records`` per class, never one call per object."""
    records: dict[str, dict[str, Record]] = {}
    for cls in classes():
        try:
            records[cls] = _plain(getattr(session.xenapi, cls).get_all_records())
            if cls == "secret":  # uuids only: a secret's value is never kept, printed or saved
                records[cls] = {r: {**rec, "value": REDACTED} for r, rec in records[cls].items()}
        except XenAPI.Failure as exc:
            if cls in OPTIONAL and exc.details[:1] == ["MESSAGE_METHOD_UNKNOWN"]:
                records[cls] = {}
                continue
            raise
    return XapiFacts(records, session.url)


# The classes collect_facts asks for, in order (kept for callers that list them).
CLASSES = classes()
