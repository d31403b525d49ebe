"""The ``message`` class: xapi's alerts, served from the model's store (``simlab.model.messages``).

Besides the generic ``get_all``/``get_all_records``/``get_record``/``get_by_uuid`` (from ``BUILDERS``),
xapi's own calls: ``get_since(since)`` and ``get(cls, obj_uuid, since)`` (messages strictly later than
``since``, a DateTime; without a timezone it is UTC), ``create``, ``destroy``, ``destroy_many``.
``CALLS`` is what the dispatcher accepts for the class: xapi generates no ``get_<field>`` for it.
"""

from __future__ import annotations

import calendar
import re
import xmlrpc.client
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi.wire import XapiError, as_int, datetime, ref
from simlab.model import messages
from simlab.model.messages import Message

if TYPE_CHECKING:
    from simlab.faces.xapi.view import Record, View

CALLS = (
    "get_all",
    "get_all_records",
    "get_record",
    "get_by_uuid",
    "get_since",
    "get",
    "create",
    "destroy",
    "destroy_many",
)
_STAMP = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def record(m: Message) -> Record:
    return {
        "uuid": m.uuid,
        "name": m.name,
        "priority": str(m.priority),
        "cls": m.cls,
        "obj_uuid": m.obj_uuid,
        "timestamp": datetime(m.timestamp),
        "body": m.body,
    }


def message(view: View) -> dict[str, tuple[Any, Record]]:
    ordered = sorted(view.lab.messages.values(), key=lambda m: m.timestamp)
    return {ref("message", m.uuid): (m, record(m)) for m in ordered}


BUILDERS = {"message": message}


def epoch(value: Any, what: str = "since") -> float:
    """An XML-RPC DateTime (or its string) as seconds since the epoch; no timezone means UTC."""
    text = value.value if isinstance(value, xmlrpc.client.DateTime) else value
    match = _STAMP.match(text) if isinstance(text, str) else None
    if match is None:
        raise XapiError("FIELD_TYPE_ERROR", what)
    fields = [int(g) for g in match.groups()[:6]]
    seconds = calendar.timegm((*fields, 0, 0, 0))
    zone = match.group(7)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return float(seconds)


def _later(view: View, since: Any) -> dict[str, Record]:
    # xapi keeps timestamps to the second on the wire; compare as the client sees them.
    cutoff = epoch(since)
    return {r: rec for r, rec in view.records("message").items() if int(view.obj("message", r).timestamp) > cutoff}


def get_since(view: View, since: Any) -> dict[str, Record]:
    return _later(view, since)


def _object_exists(view: View, cls: str, obj_uuid: str) -> bool:
    xapi_cls = {"Host": "host", "Pool": "pool"}.get(cls, cls)
    return any(rec.get("uuid") == obj_uuid for rec in view.records(xapi_cls).values())


def get(view: View, cls: Any, obj_uuid: Any, since: Any) -> dict[str, Record]:
    if not _object_exists(view, str(cls), str(obj_uuid)):
        raise XapiError("UUID_INVALID")
    return {r: rec for r, rec in _later(view, since).items() if rec["cls"] == cls and rec["obj_uuid"] == obj_uuid}


def create(view: View, name: Any, priority: Any, cls: Any, obj_uuid: Any, body: Any) -> str:
    if str(cls) not in messages.CLASSES:
        raise XapiError("INVALID_VALUE", "cls", cls)
    if not _object_exists(view, str(cls), str(obj_uuid)):
        raise XapiError("UUID_INVALID", cls, obj_uuid)
    posted = messages.post(
        view.lab, str(name), as_int(priority, "priority"), str(cls), str(obj_uuid), str(body), notify=False
    )  # the dispatcher notifies once the lock is released
    return ref("message", posted.uuid)


def destroy(view: View, message_ref: Any) -> str:
    messages.destroy(view.lab, view.obj("message", message_ref).uuid, notify=False)
    return ""


def destroy_many(view: View, refs: Any) -> str:
    if not isinstance(refs, list):
        raise XapiError("FIELD_TYPE_ERROR", "messages")
    for message_ref in refs:
        destroy(view, message_ref)
    return ""
