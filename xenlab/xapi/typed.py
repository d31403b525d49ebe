"""The base of every typed XenAPI object, the registry of them, and the one place wire values are converted.

XML-RPC gives XenAPI's int64 fields as decimal strings, references as ``OpaqueRef:...`` with
``OpaqueRef:NULL`` for none, and ``other_config`` flags as ``"true"``/``"false"``: the
converters below turn them into ``int``, ``str | None`` and ``bool`` once, so no suite ever
sees a wire value.

How to add a class: write a frozen dataclass in ``xenlab/xapi/objects/<area>.py`` that subclasses
``XapiObject``, decorate it with ``@xapi_class("VBD")`` (the XenAPI class name) and give it a
``from_record`` classmethod that converts the record's fields with the helpers here. References
to other objects are kept as ``*_ref`` fields and resolved by properties through ``self.facts``
(``facts.get(PIF, ref)``, ``facts.get_all(PIF, refs)``). ``collect_facts`` then collects the
class with one ``get_all_records`` and ``XapiFacts`` builds its objects once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Self

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


@dataclass(frozen=True, kw_only=True)
class XapiObject:
    """One XenAPI object: its reference, uuid, and the facts it was built from (to resolve references)."""

    xapi_class: ClassVar[str] = ""
    ref: str
    uuid: str
    facts: XapiFacts = field(repr=False, compare=False)

    @classmethod
    def from_record(cls, ref_: str, record: Record, facts: XapiFacts) -> Self:
        raise NotImplementedError

    @staticmethod
    def common(ref_: str, record: Record, facts: XapiFacts) -> dict[str, Any]:
        """The fields every object has, for ``from_record``: ``cls(**cls.common(ref, r, facts), ...)``."""
        return {"ref": ref_, "uuid": str(record.get("uuid", "")), "facts": facts}

    @property
    def record(self) -> Record:
        """The redacted raw record this object was built from: evidence, never for checks."""
        return self.facts.records.get(self.xapi_class, {}).get(self.ref, {})
