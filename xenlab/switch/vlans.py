"""VLAN lists as IOS writes them: ``5,10,20-30``, ``ALL``, ``none``, ``1-4094``."""

from __future__ import annotations

from collections.abc import Iterable

ALL = frozenset(range(1, 4095))


def parse_vlan_list(text: str) -> frozenset[int]:
    """Parse ``5,10,20-30`` (also ``ALL``/``all``, ``none`` and IOS's wrapped ``, `` spacing)."""
    text = text.strip().lower()
    if text in ("all",):
        return ALL
    if text in ("", "none"):
        return frozenset()
    vlans: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ValueError(f"{text!r} is not a VLAN list such as 5,10,20-30")
        first, last = int(low), int(high or low)
        if not 1 <= first <= last <= 4094:
            raise ValueError(f"{text!r}: VLAN ids run from 1 to 4094")
        vlans.update(range(first, last + 1))
    return frozenset(vlans)


def format_vlan_list(vlans: Iterable[int], separator: str = ",") -> str:
    """``5,10,20-30`` with runs of three or more as ranges, as IOS renders allowed lists."""
    ordered = sorted(set(vlans))
    if not ordered:
        return "none"
    parts: list[str] = []
    start = prev = ordered[0]
    for vlan in [*ordered[1:], None]:
        if vlan is not None and vlan == prev + 1:
            prev = vlan
            continue
        if prev == start:
            parts.append(str(start))
        elif prev == start + 1:
            parts.extend([str(start), str(prev)])
        else:
            parts.append(f"{start}-{prev}")
        if vlan is not None:
            start = prev = vlan
    return separator.join(parts)
