"""Learn, then diff: facts saved as JSON and compared, volatile facts left out (the pre-change gate's core)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Facts that change on a healthy lab between two runs: counters, clocks, uptimes, session state.
VOLATILE = (
    "*.last_updated",
    "*.memory_free",
    "*.uptime*",
    "*.age",
    "*.counters.*",
    "*.raw.*",
    "*.timestamp",
    "*.physical_utilisation",
    "*.domid",
    "*.start_time",
    "*.install_time",
    "*collected_at",
    "*.message.*",  # alerts come and go
)


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any

    def __str__(self) -> str:
        if self.before is _MISSING:
            return f"+ {self.path}: {self.after!r}"
        if self.after is _MISSING:
            return f"- {self.path}: {self.before!r}"
        return f"~ {self.path}: {self.before!r} -> {self.after!r}"


_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


def _walk(before: Any, after: Any, path: str) -> Iterator[Change]:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            sub = f"{path}.{key}" if path else str(key)
            yield from _walk(before.get(key, _MISSING), after.get(key, _MISSING), sub)
    elif before != after:
        yield Change(path, before, after)


def diff(before: dict[str, Any], after: dict[str, Any], volatile: tuple[str, ...] = VOLATILE) -> list[Change]:
    """Every fact that differs, except those matching a volatile pattern."""
    return [c for c in _walk(before, after, "") if not any(fnmatch.fnmatch(c.path, p) for p in volatile)]


def save(facts: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(facts, indent=2, sort_keys=True, default=str))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
