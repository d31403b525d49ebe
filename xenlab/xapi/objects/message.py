"""XenAPI messages: the alerts xapi raises (HA_HOST_FAILED, HA_PROTECTED_VM_RESTART_FAILED, ...)."""

from __future__ import annotations

from dataclasses import dataclass

from xenlab.xapi.typed import XapiObject, int64, wire, xapi_class


@xapi_class("message")
@dataclass(frozen=True, kw_only=True)
class Message(XapiObject):
    name: str = wire("name")
    priority: int = wire("priority", int64)
    cls: str = wire("cls")  # VM, Host, SR, Pool
    obj_uuid: str = wire("obj_uuid")
    timestamp: str = wire("timestamp")  # ISO 8601, as collected
    body: str = wire("body")
