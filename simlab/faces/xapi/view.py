"""A consistent view of the lab as XenAPI objects: records per class, and refs back to model objects.

Built under ``lab.lock`` per request, so every call sees one state of the model.
Records are computed, never stored: derived values come from ``simlab.model.links``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simlab.faces.xapi import alerts, classes, netrecords, records, vmrecords
from simlab.faces.xapi.wire import NULL, XapiError, ref
from simlab.model.lab import Lab
from simlab.model.objects import stable_uuid

Record = dict[str, Any]

# Classes the face serves, in XenAPI spelling (event.from accepts them case-insensitively); a class
# without a builder has no objects in the lab (simlab.faces.xapi.classes says how one plugs in).
CLASSES = list(classes.SERVED)
EVENT_CLASSES = list(classes.EVENTS)


def _none(view: View) -> dict[str, tuple[Any, Record]]:
    return {}


class View:
    def __init__(self, lab: Lab, sessions: dict[str, dict[str, Any]], since: float) -> None:
        self.lab = lab
        self.sessions = sessions
        self.since = since  # last_updated stamps: stable, so event.from sees only real changes
        self._records: dict[str, dict[str, Record]] = {}
        self._objects: dict[str, dict[str, Any]] = {}
        self.cache: dict[str, Any] = {}  # values several records share (the HA plan), computed once per view

    # -- refs of model objects -------------------------------------------------------------
    def pool_ref(self) -> str:
        return ref("pool", self.lab.pool.uuid)

    def host_ref(self, name: str | None) -> str:
        host = self.lab.hosts.get(name) if name else None
        return ref("host", host.uuid) if host else NULL

    def vm_ref(self, name: str) -> str:
        return ref("VM", self.lab.vms[name].uuid)

    def dom0_uuid(self, host: str) -> str:
        return stable_uuid(self.lab.hosts[host].uuid, "control-domain")

    def sr_ref(self, name: str | None) -> str:
        sr = self.lab.srs.get(name) if name else None
        return ref("SR", sr.uuid) if sr else NULL

    # -- records -----------------------------------------------------------------------------
    def records(self, cls: str) -> dict[str, Record]:
        if cls not in self._records:
            builders: dict[str, Callable[[View], dict[str, tuple[Any, Record]]]] = {
                **records.BUILDERS, **netrecords.BUILDERS, **alerts.BUILDERS, **vmrecords.BUILDERS}
            built = builders.get(cls, _none)(self)
            self._records[cls] = {r: {**rec, **self.lab.xapi_fields.get(r, {})} for r, (_, rec) in built.items()}
            self._objects[cls] = {r: obj for r, (obj, _) in built.items()}
        return self._records[cls]

    def record(self, cls: str, obj_ref: str) -> Record:
        found = self.records(cls).get(obj_ref)
        if found is None:
            raise XapiError("HANDLE_INVALID", cls, obj_ref)
        return found

    def obj(self, cls: str, obj_ref: str) -> Any:
        """The model object behind a ref (HANDLE_INVALID when there is none)."""
        self.record(cls, obj_ref)
        return self._objects[cls][obj_ref]

    def by_uuid(self, cls: str, uuid: str) -> str:
        for r, rec in self.records(cls).items():
            if rec["uuid"] == uuid:
                return r
        raise XapiError("UUID_INVALID", cls, uuid)

    def snapshot(self, classes: list[str]) -> dict[tuple[str, str], Record]:
        return {(cls, r): rec for cls in classes for r, rec in self.records(cls).items()}
