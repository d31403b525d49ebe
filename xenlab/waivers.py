"""Waivers: known failures a team has accepted for a while, each with a reason, an owner and an expiry date.

``inventory/waivers.yml`` (beside the inventory, or ``--waivers PATH``)::

    waivers:
      - test: "network/test_jumbo.py::test_jumbo_echo[xen2]"   # a check id, or a pattern: test_vm_running[vm0*]
        justification: "xen2's storage NIC is being replaced (CHG-1234)"
        owner: "alice"
        expires: 2026-12-31                                     # last day the waiver holds

A waived failure does not fail the run and is reported as a known issue; an expired waiver fails the run
until it is renewed or removed. ``test`` matches the check's id relative to ``suites/``, its full pytest id,
or its bare name; ``*`` and ``?`` are wildcards, brackets are literal (they hold the check's parameters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

FIELDS = ("test", "justification", "owner", "expires")


class WaiverError(ValueError):
    """The waiver file is malformed; the message is one line naming the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    index: int
    test: str
    justification: str
    owner: str
    expires: date

    @property
    def where(self) -> str:
        return f"waivers[{self.index}] ({self.test})"

    def expired(self, today: date | None = None) -> bool:
        return (today or datetime.now(UTC).date()) > self.expires

    def matches(self, *ids: str) -> bool:
        pattern = re.compile(re.escape(self.test).replace(r"\*", ".*").replace(r"\?", "."))
        return any(pattern.fullmatch(i) for i in ids)

    def reason(self) -> str:
        return f"waived until {self.expires} (owner {self.owner}): {self.justification}"


def _entry(source: Path, index: int, raw: object) -> Waiver:
    where = f"{source}: waivers[{index}]"
    if not isinstance(raw, dict):
        raise WaiverError(f"{where}: expected a mapping with {', '.join(FIELDS)}, got {type(raw).__name__}")
    if isinstance(raw.get("test"), str) and raw["test"].strip():
        where += f" ({raw['test']})"
    unknown = sorted(set(map(str, raw)) - set(FIELDS))
    if unknown:
        raise WaiverError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    for name in FIELDS:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise WaiverError(f"{where}: {name}: missing")
    expires = raw["expires"]
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires.strip())
        except ValueError:
            raise WaiverError(f"{where}: expires: {raw['expires']!r} is not a date (YYYY-MM-DD)") from None
    if isinstance(expires, datetime):
        expires = expires.date()
    if not isinstance(expires, date):
        raise WaiverError(f"{where}: expires: {raw['expires']!r} is not a date (YYYY-MM-DD)")
    for name in ("test", "justification", "owner"):
        if not isinstance(raw[name], str):
            raise WaiverError(f"{where}: {name}: expected text, got {raw[name]!r}")
    return Waiver(index, raw["test"].strip(), raw["justification"].strip(), raw["owner"].strip(), expires)


def load_waivers(path: Path | str | None) -> list[Waiver]:
    """The waivers in ``path``; none if it is None or does not exist. Malformed: WaiverError, one line."""
    if path is None or not Path(path).is_file():
        return []
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise WaiverError(f"{source}:{at} not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {"waivers"}:
        raise WaiverError(f"{source}: expected one key, waivers: a list of entries with {', '.join(FIELDS)}")
    entries = data["waivers"] or []
    if not isinstance(entries, list):
        raise WaiverError(f"{source}: waivers: expected a list, got {type(entries).__name__}")
    return [_entry(source, i, raw) for i, raw in enumerate(entries)]


def waiver_for(waivers: list[Waiver], *ids: str) -> Waiver | None:
    """The first waiver that matches any of the check's ids."""
    return next((w for w in waivers if w.matches(*ids)), None)


def default_path(inventory_source: str | Path) -> Path:
    """Waivers live beside the inventory they apply to: inventory/waivers.yml for inventory/lab.yml."""
    return Path(inventory_source).parent / "waivers.yml"
