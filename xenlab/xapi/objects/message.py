"""XenAPI messages: the alerts xapi raises (HA_HOST_FAILED, HA_PROTECTED_VM_RESTART_FAILED, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from xenlab.xapi.typed import Record, XapiObject, int64, xapi_class

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts


@xapi_class("message")
@dataclass(frozen=True, kw_only=True)
class Message(XapiObject):
    name: str
    priority: int
    cls: str  # VM, Host, SR, Pool
    obj_uuid: str
    timestamp: str  # ISO 8601, as collected
    body: str

    @classmethod
    def from_record(cls, ref_: str, r: Record, facts: XapiFacts) -> Self:
        return cls(
            **cls.common(ref_, r, facts),
            name=r.get("name", ""),
            priority=int64(r.get("priority")),
            cls=r.get("cls", ""),
            obj_uuid=r.get("obj_uuid", ""),
            timestamp=str(r.get("timestamp", "")),
            body=r.get("body", ""),
        )
