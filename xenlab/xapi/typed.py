"""The base of every typed XenAPI object, the registry of them, and the one place wire values are converted.

XML-RPC gives XenAPI's int64 fields as decimal strings, references as ``OpaqueRef:...`` with
``OpaqueRef:NULL`` for none, and ``other_config`` flags as ``"true"``/``"false"``: the
converters below turn them into ``int``, ``str | None`` and ``bool`` once, so no suite ever
sees a wire value.

How to add a class: write a frozen dataclass in ``xenlab/xapi/objects/<area>.py`` that subclasses
``XapiObject``, decorate it with ``@xapi_class("VBD")`` (the XenAPI class name) and declare each
field with where it comes from: ``mtu: int = wire("MTU", int64)``, or ``derived(fn)`` for a field
computed from the whole record. References to other objects are kept as ``*_ref`` fields and
resolved through ``self.facts`` by ``Link``/``Links`` descriptors (``host = Link("host", "host_ref")``).
``collect_facts`` then collects the class with one ``get_all_records`` and ``XapiFacts`` builds
its objects once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, overload

if TYPE_CHECKING:
    from xenlab.xapi.facts import XapiFacts

Record = dict[str, Any]
NULL = "OpaqueRef:NULL"

# XenAPI class name -> typed class; filled by @xapi_class as xenlab.xapi.objects is imported.
REGISTRY: dict[str, type[XapiObject]] = {}


def xapi_class(name: str) -> Callable[[type[XapiObject]], type[XapiObject]]:
    """Register a typed class for the XenAPI class ``name``: it is then collected and built."""

    def register(cls: type[XapiObject]) -> type[XapiObject]:
        cls.xapi_class = name
        REGISTRY[name] = cls
        return cls

    return register


def text(value: Any) -> str:
    """A string field; absent is empty."""
    return "" if value is None else str(value)


def int64(value: Any) -> int:
    """An int64 field (a decimal string on the wire); empty is 0."""
    return int(value) if value not in ("", None) else 0


def flag(value: Any) -> bool:
    """A bool field (a real bool) or a map's flag (``"true"``/``"false"``, any case)."""
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def optional_flag(value: Any) -> bool | None:
    """A map's flag that may be unset: None when absent."""
    return None if value is None else flag(value)


def ref(value: Any) -> str | None:
    """A reference; ``OpaqueRef:NULL`` or empty is None."""
    return None if value in (NULL, "", None) else str(value)


def refs(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(r for r in (ref(v) for v in values or ()) if r is not None)


def strings(mapping: Any) -> dict[str, str]:
    """A XenAPI map (string -> string), copied."""
    return {str(k): str(v) for k, v in (mapping or {}).items()}


def wire(key: str, convert: Callable[[Any], Any] = text) -> Any:
    """A field read from the record's ``key`` through ``convert`` (which is given None when the key is absent)."""
    return field(metadata={"read": lambda record: convert(record.get(key))})


def derived(read: Callable[[Record], Any]) -> Any:
    """A field computed from the whole record."""
    return field(metadata={"read": read})


def other_config_flag(key: str) -> Any:
    """An ``other_config`` flag that may be unset (None)."""
    return derived(lambda record: optional_flag((record.get("other_config") or {}).get(key)))


T = TypeVar("T")


class Link(Generic[T]):
    """The object a ``*_ref`` field points to, looked up in the facts: ``host = Link("host", "host_ref")``."""

    def __init__(self, xapi_class: str, ref_field: str) -> None:
        self.xapi_class, self.ref_field = xapi_class, ref_field

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: XapiObject, owner: type) -> T | None: ...
    def __get__(self, obj: XapiObject | None, owner: type) -> Any:
        return self if obj is None else obj.facts.get(self.xapi_class, getattr(obj, self.ref_field))


class Links(Generic[T]):
    """The objects a ``*_refs`` field points to, dangling ones left out."""

    def __init__(self, xapi_class: str, refs_field: str) -> None:
        self.xapi_class, self.refs_field = xapi_class, refs_field

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: XapiObject, owner: type) -> tuple[T, ...]: ...
    def __get__(self, obj: XapiObject | None, owner: type) -> Any:
        return self if obj is None else obj.facts.get_all(self.xapi_class, getattr(obj, self.refs_field))


class NameOf:
    """The name of what a ``Link`` points to, for messages and comparisons: ``host_name = NameOf("host")``."""

    def __init__(self, link: str) -> None:
        self.link = link

    def __get__(self, obj: XapiObject | None, owner: type) -> Any:
        if obj is None:
            return self
        target = getattr(obj, self.link)
        return target.name if target is not None else None


@dataclass(frozen=True, kw_only=True)
class XapiObject:
    """One XenAPI object: its reference, uuid, and the facts it was built from (to resolve references)."""

    xapi_class: ClassVar[str] = ""
    ref: str
    uuid: str
    facts: XapiFacts = field(repr=False, compare=False)

    @classmethod
    def from_record(cls, ref_: str, record: Record, facts: XapiFacts) -> Self:
        """The object, each declared field read from the record the way it says."""
        values = {f.name: f.metadata["read"](record) for f in fields(cls) if "read" in f.metadata}
        return cls(ref=ref_, uuid=text(record.get("uuid")), facts=facts, **values)

    @property
    def record(self) -> Record:
        """The redacted raw record this object was built from: evidence, never for checks."""
        return self.facts.records.get(self.xapi_class, {}).get(self.ref, {})
