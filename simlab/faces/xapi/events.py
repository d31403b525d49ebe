"""event.from: the token is the lab generation the caller has seen; events diff snapshots by generation."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi.view import EVENT_CLASSES, View
from simlab.faces.xapi.wire import XapiError

if TYPE_CHECKING:
    from simlab.model.lab import Lab

Snapshot = dict[tuple[str, str], dict[str, Any]]
MAX_WAIT_S = 60.0  # a caller asking for longer gets an empty answer and asks again, as with xapi
KEPT = 64  # snapshots kept for outstanding tokens; an older token gets EVENTS_LOST


def _token(generation: int) -> str:
    return f"{generation:020d},{0:020d}"


def _parse(token: str) -> int:
    try:
        return int(token.split(",")[0])
    except (ValueError, AttributeError):
        raise XapiError("EVENT_FROM_TOKEN_PARSE_FAILURE", token) from None


class EventLog:
    def __init__(self, lab: Lab, view: Callable[[], View]) -> None:
        self.lab = lab
        self._view = view
        self._changed = threading.Condition()
        self._snapshots: OrderedDict[int, Snapshot] = OrderedDict()
        self._ids = 0
        self.stopped = False
        lab.subscribe(self._on_change)

    def _on_change(self, _lab: Lab) -> None:
        with self._changed:
            self._changed.notify_all()

    def stop(self) -> None:
        self.stopped = True
        self._on_change(self.lab)

    def _current(self) -> tuple[int, Snapshot]:
        with self.lab.lock:
            generation = self.lab.generation
            snapshot = self._view().snapshot(EVENT_CLASSES)
        with self._changed:
            self._snapshots[generation] = snapshot
            self._snapshots.move_to_end(generation)
            while len(self._snapshots) > KEPT:
                self._snapshots.popitem(last=False)
        return generation, snapshot

    @staticmethod
    def _wanted(classes: Any) -> tuple[set[str], set[str]]:
        if not isinstance(classes, list):
            raise XapiError("FIELD_TYPE_ERROR", "classes")
        names, refs = set(), set()
        lower = {c.lower(): c for c in EVENT_CLASSES}
        for entry in map(str, classes):
            cls, _, obj = entry.partition("/")
            if cls == "*":
                names |= set(EVENT_CLASSES)
            elif cls.lower() in lower:
                (refs if obj else names).add(f"{lower[cls.lower()]}/{obj}" if obj else lower[cls.lower()])
        return names, refs

    def _event(self, cls: str, ref: str, operation: str, snapshot: dict[str, Any]) -> dict[str, Any]:
        self._ids += 1
        return {"id": str(self._ids), "timestamp": f"{time.time():.6f}", "class": cls.lower(),
                "operation": operation, "ref": ref, "snapshot": snapshot}

    def wait_from(self, classes: Any, token: Any, timeout: Any) -> dict[str, Any]:
        names, refs = self._wanted(classes)

        def wanted(key: tuple[str, str]) -> bool:
            return key[0] in names or f"{key[0]}/{key[1]}" in refs

        try:
            wait = min(max(float(timeout), 0.0), MAX_WAIT_S)
        except (TypeError, ValueError):
            raise XapiError("FIELD_TYPE_ERROR", "timeout") from None
        deadline = time.monotonic() + wait
        if token in ("", None):
            generation, now = self._current()
            events = [self._event(c, r, "add", rec) for (c, r), rec in now.items() if wanted((c, r))]
            return self._answer(events, now, names, generation)
        seen = _parse(str(token))
        with self._changed:
            before = self._snapshots.get(seen)
        if before is None:
            raise XapiError("EVENTS_LOST")
        while True:
            with self._changed:
                self._changed.wait_for(lambda seen=seen: self.lab.generation != seen or self.stopped,
                                       timeout=max(0.0, deadline - time.monotonic()))
            generation, now = self._current()
            events = [self._event(c, r, "del", rec) for (c, r), rec in before.items()
                      if wanted((c, r)) and (c, r) not in now]
            for key, rec in now.items():
                if wanted(key) and before.get(key) != rec:
                    events.append(self._event(*key, "add" if key not in before else "mod", rec))
            if events or time.monotonic() >= deadline or self.stopped:
                return self._answer(events, now, names, generation)
            seen, before = generation, now

    @staticmethod
    def _answer(events: list[dict[str, Any]], now: Snapshot, names: set[str], generation: int) -> dict[str, Any]:
        counts = {c.lower(): str(sum(1 for k in now if k[0] == c)) for c in names}
        return {"events": events, "valid_ref_counts": counts, "token": _token(generation)}
