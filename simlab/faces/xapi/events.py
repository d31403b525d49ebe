"""XenAPI events as xapi serves them: ``event.from`` tokens and the older ``event.register``/``next``.

xapi stamps every database row with the generation it was created, last modified and deleted at;
``event.from(classes, token, timeout)`` returns the rows of the subscribed classes stamped after the
token's generation (``add`` if created after it, else ``mod``, ``del`` without a snapshot), and a new
token: the highest generation among them, as ``"%020d,%020d"`` (database, message generation). An
empty token means from the beginning (every object an ``add``); a token that is not two integers is
``EVENT_FROM_TOKEN_PARSE_FAILURE [token]``. (xapi-project/xen-api ``ocaml/xapi/xapi_event.ml``.)

The twin's records are computed from the model, not stored, so the log stamps them by observing:
each time the model's generation has moved since the last look, it diffs every event class's records
against the last look and stamps what changed with a new generation of its own. Any change the model
makes (a face, a fault, HA) is seen this way, with nothing to call but ``lab.changed()``.

``event.next`` reads a queue of the same observations from the id the session had when it called
``event.register``; it blocks until one of its classes changes (``SESSION_NOT_REGISTERED`` without a
register, ``EVENTS_LOST`` if the queue dropped what it had not read).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi.view import EVENT_CLASSES, View
from simlab.faces.xapi.wire import XapiError

if TYPE_CHECKING:
    from simlab.model.lab import Lab

Key = tuple[str, str]  # (class as the datamodel spells it, ref)
MAX_WAIT_S = 60.0  # an event.from asking for longer gets an empty answer and asks again, as with xapi's 24 h cap
KEPT_DELETED = 4096  # deleted rows remembered for later tokens (xapi garbage-collects them too)
KEPT_QUEUE = 10000  # event.next queue length


@dataclass
class Stat:
    created: int
    modified: int
    deleted: int = 0


@dataclass
class Subscription:
    last_id: int
    subs: list[str] = field(default_factory=list)  # "*", "vm", "vm/OpaqueRef:..."


def token(generation: int, message_generation: int = 0) -> str:
    return f"{generation:020d},{message_generation:020d}"


def parse_token(value: Any) -> int:
    if value in ("", None):
        return 0
    parts = str(value).split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return int(parts[0])
    except ValueError:
        raise XapiError("EVENT_FROM_TOKEN_PARSE_FAILURE", value) from None


def subscriptions(classes: Any) -> list[str]:
    if not isinstance(classes, list):
        raise XapiError("FIELD_TYPE_ERROR", "classes")
    out = []
    for entry in map(str, classes):
        cls, slash, obj = entry.partition("/")
        out.append("*" if entry == "*" else cls.lower() + (slash + obj if slash else ""))
    return out


def matches(subs: list[str], key: Key) -> bool:
    cls = key[0].lower()
    return any(s == "*" or s == cls or s == f"{cls}/{key[1]}" for s in subs)


def trackid(session: str) -> str:
    """How xapi names a session in errors without revealing it (Context.trackid_of_session)."""
    return "trackid=" + hashlib.md5(session.encode()).hexdigest()  # noqa: S324 (an id, as xapi's Digest)


class EventLog:
    def __init__(self, lab: Lab, view: Callable[[], View]) -> None:
        self.lab = lab
        self._view = view
        self._cond = threading.Condition()
        self._seen = -1  # lab.generation at the last look
        self._generation = 0  # the log's own: stamps and tokens
        self._records: dict[Key, dict[str, Any]] = {}
        self._stats: dict[Key, Stat] = {}
        self._queue: deque[dict[str, Any]] = deque()  # event.next, oldest first
        self._next_id = 0
        self._forgotten = -1  # highest event.next id dropped from the queue
        self._sessions: dict[str, Subscription] = {}
        self._gone: deque[str] = deque(maxlen=1024)  # sessions logged out while a call may still wait
        self.stopped = False
        lab.subscribe(self._on_change)

    def _on_change(self, _lab: Lab) -> None:
        with self._cond:
            self._cond.notify_all()

    def stop(self) -> None:
        self.stopped = True
        self._on_change(self.lab)

    # -- observing the model -----------------------------------------------------------------
    def observe(self) -> int:
        """Stamp what changed since the last look; the log's generation."""
        with self.lab.lock:
            generation = self.lab.generation
            with self._cond:
                if generation == self._seen:
                    return self._generation
            now = self._view().snapshot(EVENT_CLASSES)
        with self._cond:
            if generation == self._seen:  # another thread looked meanwhile
                return self._generation
            self._seen = generation
            changes = [
                (k, "add" if k not in self._records else "mod", rec)
                for k, rec in now.items()
                if self._records.get(k) != rec
            ]
            changes += [(k, "del", rec) for k, rec in self._records.items() if k not in now]
            if not changes:
                return self._generation
            self._generation += 1
            stamp = self._generation
            for key, operation, rec in changes:
                stat = self._stats.get(key)
                if operation == "add" or stat is None:
                    self._stats[key] = Stat(stamp, stamp)
                elif operation == "mod":
                    stat.modified = stamp
                else:
                    stat.deleted = stamp
                self._queue_event(key, operation, rec)
            self._records = now
            self._prune()
            self._cond.notify_all()
            return stamp

    def _queue_event(self, key: Key, operation: str, snapshot: dict[str, Any]) -> None:
        self._queue.append(
            {
                "id": str(self._next_id),
                "timestamp": f"{int(time.time())}.",
                "class": key[0].lower(),
                "operation": operation,
                "ref": key[1],
                "snapshot": snapshot,
            }
        )
        self._next_id += 1
        while len(self._queue) > KEPT_QUEUE:
            self._forgotten = int(self._queue.popleft()["id"])

    def _prune(self) -> None:
        deleted = sorted((s.deleted, k) for k, s in self._stats.items() if s.deleted)
        for _, key in deleted[: max(0, len(deleted) - KEPT_DELETED)]:
            del self._stats[key]

    def _wait(self, seen: int, deadline: float | None, give_up: Callable[[], bool]) -> None:
        """Until the model moves past ``seen``, the deadline passes, or ``give_up()``."""
        with self._cond:
            while self.lab.generation == seen and not self.stopped and not give_up():
                left = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
                if left <= 0:
                    return
                self._cond.wait(left)

    # -- event.from ----------------------------------------------------------------------------
    def wait_from(self, classes: Any, from_token: Any, timeout: Any, session: str = "") -> dict[str, Any]:
        subs = subscriptions(classes)
        since = parse_token(from_token)
        try:
            wait = min(max(float(timeout), 0.0), MAX_WAIT_S)
        except (TypeError, ValueError):
            raise XapiError("FIELD_TYPE_ERROR", "timeout") from None
        deadline = time.monotonic() + wait
        while True:
            seen = self.lab.generation
            self.observe()
            answer = self._since(subs, since)
            if answer["events"] or time.monotonic() >= deadline or self.stopped:
                return answer
            self._wait(seen, deadline, lambda: self._invalid(session))
            if self._invalid(session):
                raise XapiError("SESSION_INVALID", session)

    def _since(self, subs: list[str], since: int) -> dict[str, Any]:
        events, last = [], since
        with self._cond:
            for key, stat in self._stats.items():
                if not matches(subs, key):
                    continue
                last = max(last, stat.modified, stat.deleted)
                if stat.deleted:
                    if stat.deleted > since and stat.created <= since:
                        events.append((stat.deleted, key, "del", None))
                elif stat.created > since:
                    events.append((stat.created, key, "add", self._records[key]))
                elif stat.modified > since:
                    events.append((stat.modified, key, "mod", self._records[key]))
            counts: dict[str, int] = {c.lower(): 0 for c in EVENT_CLASSES}
            for key in self._records:
                counts[key[0].lower()] += 1
        out = []
        for stamp, key, operation, snapshot in sorted(events, key=lambda e: e[0]):
            event = {
                "id": str(stamp),
                "timestamp": "0.0",
                "class": key[0].lower(),
                "operation": operation,
                "ref": key[1],
            }
            if snapshot is not None:
                event["snapshot"] = snapshot
            out.append(event)
        return {"events": out, "valid_ref_counts": counts, "token": token(last)}

    def inject(self, cls: str, ref: str) -> str:
        """``event.inject``: a ``mod`` of the object for every watcher; the token just before it."""
        self.observe()
        with self._cond:
            stat = self._stats.get((cls, ref))
            if stat is None or stat.deleted:
                raise XapiError("HANDLE_INVALID", cls, ref)
            self._generation += 1
            stat.modified = self._generation
            self._queue_event((cls, ref), "mod", self._records[(cls, ref)])
            self._cond.notify_all()
            return token(self._generation - 1)

    # -- event.register / next / unregister ----------------------------------------------------
    def register(self, session: str, classes: Any) -> str:
        subs = subscriptions(classes)
        self.observe()
        with self._cond:
            found = self._sessions.setdefault(session, Subscription(self._next_id))
            found.subs = subs + found.subs
        return ""

    def unregister(self, session: str, classes: Any) -> str:
        subs = subscriptions(classes)
        with self._cond:
            found = self._sessions.setdefault(session, Subscription(self._next_id))
            found.subs = [s for s in found.subs if s not in subs]
        return ""

    def current_id(self) -> str:
        self.observe()
        with self._cond:
            return str(self._next_id)

    def next(self, session: str) -> list[dict[str, Any]]:
        with self._cond:
            found = self._sessions.get(session)
        if found is None:
            raise XapiError("SESSION_NOT_REGISTERED", trackid(session))
        while True:
            seen = self.lab.generation
            self.observe()
            with self._cond:
                if session in self._gone:
                    raise XapiError("SESSION_INVALID", session)
                if self._forgotten >= found.last_id:
                    raise XapiError("EVENTS_LOST")
                start, found.last_id = found.last_id, self._next_id
                relevant = [
                    e for e in self._queue if int(e["id"]) >= start and matches(found.subs, (e["class"], e["ref"]))
                ]
            if relevant:
                return relevant
            if self.stopped:
                return []
            self._wait(seen, None, lambda: self._invalid(session))

    def _invalid(self, session: str) -> bool:
        return session in self._gone

    def forget(self, session: str) -> None:
        """The session logged out: its blocked calls end with SESSION_INVALID, as in xapi."""
        with self._cond:
            self._sessions.pop(session, None)
            self._gone.append(session)
            self._cond.notify_all()
