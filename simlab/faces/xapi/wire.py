"""XenAPI wire encoding: refs, ints as strings, datetimes, and Failure responses with real codes."""

from __future__ import annotations

import time
import xmlrpc.client
from typing import Any

from simlab.model.objects import stable_uuid

NULL = "OpaqueRef:NULL"


class XapiError(Exception):
    """A XenAPI failure: ``ErrorDescription`` is ``[code, *params]``, every param a string."""

    def __init__(self, code: str, *params: object) -> None:
        super().__init__(code, *params)
        self.description = [code, *(str(p) for p in params)]


def ref(cls: str, uuid: str) -> str:
    """A reference derived from the object's uuid: stable across restarts, never equal to the uuid."""
    return f"OpaqueRef:{stable_uuid('ref', cls, uuid)}"


def i(value: int | float) -> str:
    """int64 travels as a decimal string."""
    return str(int(value))


def datetime(epoch: float | None = None) -> xmlrpc.client.DateTime:
    stamp = time.gmtime(time.time() if epoch is None else epoch)
    return xmlrpc.client.DateTime(time.strftime("%Y%m%dT%H:%M:%SZ", stamp))


def success(value: Any) -> dict[str, Any]:
    return {"Status": "Success", "Value": "" if value is None else value}


def failure(description: list[str]) -> dict[str, Any]:
    return {"Status": "Failure", "ErrorDescription": description}


def as_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise XapiError("FIELD_TYPE_ERROR", what)


def as_int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise XapiError("FIELD_TYPE_ERROR", what) from None


def as_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise XapiError("FIELD_TYPE_ERROR", what)
    return {str(k): str(v) for k, v in value.items()}
