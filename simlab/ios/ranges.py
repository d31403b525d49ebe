"""``interface range`` lists: ``Gi1/0/13 - 14, Gi2/0/13 - 14``, ``port-channel 1-3``, ``vlan 5,10``."""

from __future__ import annotations

import re
from dataclasses import replace

from simlab.ios.words import INVALID, CliError, Words
from simlab.model.switch import Interface, SwitchStack
from xenlab.ifname import parse_port

_RANGE_PART = re.compile(r"^\s*([A-Za-z-]+)\s*(\d+(?:/\d+)*)\s*(?:-\s*(\d+))?\s*$")


def interface_range(stack: SwitchStack, w: Words) -> list[str]:
    """``Gi1/0/13 - 14, Gi2/0/13 - 14`` or ``port-channel 1-3``: every interface must exist (Vlans are made)."""
    column = w.column()
    text = w.rest()
    names: list[str] = []
    kind = ""
    for part in text.split(","):
        match = _RANGE_PART.match(part)
        if match and match.group(1):
            kind = match.group(1)
        elif part.strip() and part.strip()[0].isdigit() and kind:  # "gi1/0/1, 1/0/5": the kind carries on
            match = _RANGE_PART.match(kind + part)
        if not match:
            raise CliError(INVALID, column + text.find(part.strip()))
        try:
            first = parse_port(match.group(1) + match.group(2))
        except ValueError:
            raise CliError(INVALID, column + text.find(part.strip())) from None
        last = int(match.group(3)) if match.group(3) else first.numbers[-1]
        if last < first.numbers[-1]:
            raise CliError(INVALID, column + text.find(part.strip()))
        for n in range(first.numbers[-1], last + 1):
            port = replace(first, numbers=(*first.numbers[:-1], n))
            if port.kind == "Vlan":
                stack.interfaces.setdefault(port.long, Interface(port.long))
            if port.long not in stack.interfaces:
                raise CliError(INVALID, column + text.find(part.strip()))
            if port.long not in names:
                names.append(port.long)
    return names
