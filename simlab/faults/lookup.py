"""Argument lookups shared by fault modules; errors list what exists."""

from __future__ import annotations

from simlab.faults.registry import FaultError, Undo
from simlab.model.lab import Lab
from simlab.model.objects import SR, VM, Host
from simlab.model.switch import Interface, SwitchStack
from xenlab.ifname import parse_port


def host(lab: Lab, name: str) -> Host:
    if name not in lab.hosts:
        raise FaultError(f"no host {name!r} (hosts: {', '.join(lab.hosts)})")
    return lab.hosts[name]


def vm(lab: Lab, name: str) -> VM:
    if name not in lab.vms:
        raise FaultError(f"no VM {name!r} (VMs: {', '.join(lab.vms)})")
    return lab.vms[name]


def sr(lab: Lab, name: str) -> SR:
    if name not in lab.srs:
        raise FaultError(f"no SR {name!r} (SRs: {', '.join(lab.srs)})")
    return lab.srs[name]


def switch(lab: Lab, name: str | None = None) -> SwitchStack:
    if name is None and len(lab.switches) == 1:
        return next(iter(lab.switches.values()))
    if name not in lab.switches:
        raise FaultError(f"no switch {name!r} (switches: {', '.join(lab.switches)})")
    return lab.switches[name]


def interface(stack: SwitchStack, name: str) -> Interface:
    try:
        long = parse_port(name).long
    except ValueError as exc:
        raise FaultError(str(exc)) from None
    if long not in stack.interfaces:
        raise FaultError(f"{stack.name} has no interface {name}")
    return stack.interfaces[long]


def number(value: str, what: str, low: int, high: int) -> int:
    """A numeric fault argument, in range, or a FaultError saying what was expected."""
    try:
        result = int(value)
    except ValueError:
        raise FaultError(f"{what} must be a number, not {value!r}") from None
    if not low <= result <= high:
        raise FaultError(f"{what} must be between {low} and {high}, not {result}")
    return result


def set_item(mapping: dict, key: object, value: object) -> Undo:
    before = mapping[key]
    mapping[key] = value
    return lambda: mapping.__setitem__(key, before)
