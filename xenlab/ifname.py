"""Cisco interface names: ``Gi1/0/13`` and ``GigabitEthernet1/0/13`` are one port."""

from __future__ import annotations

import re
from dataclasses import dataclass

_KINDS = {
    "gigabitethernet": ("GigabitEthernet", "Gi"),
    "tengigabitethernet": ("TenGigabitEthernet", "Te"),
    "fastethernet": ("FastEthernet", "Fa"),
    "port-channel": ("Port-channel", "Po"),
    "vlan": ("Vlan", "Vl"),
}
_NAME = re.compile(r"^\s*([A-Za-z-]+?)\s*(\d+(?:/\d+)*)\s*$")


@dataclass(frozen=True, order=True)
class Port:
    kind: str  # canonical long prefix, e.g. GigabitEthernet
    numbers: tuple[int, ...]

    @property
    def suffix(self) -> str:
        return "/".join(str(n) for n in self.numbers)

    @property
    def long(self) -> str:
        return f"{self.kind}{self.suffix}"

    @property
    def short(self) -> str:
        abbrev = next(short for long, short in _KINDS.values() if long == self.kind)
        return f"{abbrev}{self.suffix}"

    @property
    def stack_member(self) -> int | None:
        """The stack member a physical port sits on (the first number of Gi1/0/13)."""
        return self.numbers[0] if len(self.numbers) == 3 else None

    @property
    def is_port_channel(self) -> bool:
        return self.kind == "Port-channel"


def parse_port(name: str) -> Port:
    """Parse any IOS spelling of an interface name; ValueError names what is wrong."""
    match = _NAME.match(name)
    if not match:
        raise ValueError(f"{name!r} is not an interface name such as Gi1/0/13")
    word = match.group(1).lower()
    # IOS accepts any unambiguous prefix: g1/0/1, Gi1/0/1, GigabitEthernet1/0/1.
    keys = [k for k in _KINDS if k.startswith(word)]
    if len(keys) != 1:
        raise ValueError(f"{name!r} is not an interface name such as Gi1/0/13")
    numbers = tuple(int(n) for n in match.group(2).split("/"))
    return Port(_KINDS[keys[0]][0], numbers)
