"""Secret references such as ``${XEN_PASSWORD}`` (or ``${XEN_PASSWORD:-default}``).

A secret is kept as its reference and resolved only when a client needs it, so the
value never sits in a model that could be printed, logged or attached to a report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic_core import core_schema

_REF = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?\}$")

# Every value resolved in this process, so redaction can find it in any text.
_RESOLVED: set[str] = set()


class SecretError(ValueError):
    """A secret reference names an environment variable that is not set."""


class Secret:
    """A reference to a secret; ``str()`` and ``repr()`` never show the value."""

    __slots__ = ("ref", "_literal")

    def __init__(self, ref: str) -> None:
        match = _REF.match(ref)
        # A literal secret (no ${...}) is allowed for throwaway labs, still never shown.
        self.ref = ref if match else "<literal>"
        self._literal = None if match else ref

    @property
    def variable(self) -> str | None:
        match = _REF.match(self.ref)
        return match.group("name") if match else None

    def is_defined(self, env: Mapping[str, str] | None = None) -> bool:
        env = os.environ if env is None else env
        match = _REF.match(self.ref)
        return match is None or match.group("name") in env or match.group("default") is not None

    def reveal(self, env: Mapping[str, str] | None = None) -> str:
        env = os.environ if env is None else env
        if self._literal is not None:
            value = self._literal
        else:
            match = _REF.match(self.ref)
            assert match is not None
            value = env.get(match.group("name"), match.group("default"))
            if value is None:
                raise SecretError(f"environment variable {match.group('name')} is not set")
        if value:
            _RESOLVED.add(value)
        return value

    @property
    def shown(self) -> str:
        """The reference as it may be printed: a default value is a secret too."""
        match = _REF.match(self.ref)
        if match and match.group("default") is not None:
            return f"${{{match.group('name')}:-***}}"
        return self.ref

    def __repr__(self) -> str:
        return f"Secret({self.shown})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and (self.ref, self._literal) == (other.ref, other._literal)

    def __hash__(self) -> int:
        return hash(self.ref)

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> core_schema.CoreSchema:
        def build(value: Any) -> Secret:
            if isinstance(value, Secret):
                return value
            if not isinstance(value, str):
                raise ValueError("expected a secret reference such as ${XEN_PASSWORD}")
            return cls(value)

        return core_schema.no_info_plain_validator_function(
            build, serialization=core_schema.plain_serializer_function_ser_schema(lambda s: s.shown)
        )


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Replace every secret value this process resolved (and ``extra``) with ``***``."""
    for value in sorted({*_RESOLVED, *extra}, key=len, reverse=True):
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text
