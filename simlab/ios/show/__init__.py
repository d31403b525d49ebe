"""``show`` commands: parse the words after ``show`` and render from the model (lock held by the caller)."""

from __future__ import annotations

from simlab.ios.render import show_running_config, show_running_config_interface
from simlab.ios.show.etherchannel import (
    show_etherchannel_detail,
    show_etherchannel_load_balance,
    show_etherchannel_load_balancing,
    show_etherchannel_summary,
    show_lacp_neighbor,
)
from simlab.ios.show.interfaces import (
    show_interfaces,
    show_interfaces_status,
    show_interfaces_switchport,
    show_interfaces_trunk,
    show_ip_interface_brief,
)
from simlab.ios.show.lacp import (
    show_lacp_counters,
    show_lacp_internal,
    show_lacp_neighbor_detail,
    show_lacp_sys_id,
    show_pagp,
)
from simlab.ios.show.system import show_inventory, show_switch, show_system_mtu, show_version
from simlab.ios.show.vlan import show_vlan
from simlab.ios.words import INVALID, CliError, Words
from simlab.model.lab import Lab
from simlab.model.switch import SwitchStack

TOPICS = (
    "version",
    "switch",
    "vlan",
    "interfaces",
    "etherchannel",
    "lacp",
    "pagp",
    "system",
    "ip",
    "running-config",
    "inventory",
)


def show(lab: Lab, stack: SwitchStack, w: Words) -> str:
    """``w`` is positioned after ``show``."""
    topic = w.keyword(*TOPICS)
    if topic == "version":
        w.end()
        return show_version(lab, stack)
    if topic == "switch":
        w.end()
        return show_switch(lab, stack)
    if topic == "vlan":
        brief = w.optional("brief") == "brief"
        w.end()
        return show_vlan(lab, stack, brief)
    if topic == "system":
        w.keyword("mtu")
        w.end()
        return show_system_mtu(lab, stack)
    if topic == "ip":
        w.keyword("interface")
        w.keyword("brief")
        w.end()
        return show_ip_interface_brief(lab, stack)
    if topic == "inventory":
        w.end()
        return show_inventory(lab, stack)
    if topic == "lacp":
        what = w.keyword("neighbor", "sys-id", "counters", "internal")
        if what == "neighbor":
            detail = w.optional("detail") == "detail"
            w.end()
            return show_lacp_neighbor_detail(lab, stack) if detail else show_lacp_neighbor(lab, stack)
        w.end()
        return {"sys-id": show_lacp_sys_id, "counters": show_lacp_counters, "internal": show_lacp_internal}[what](
            lab, stack
        )
    if topic == "pagp":
        what = w.keyword("neighbor", "counters", "internal")
        w.end()
        return show_pagp(lab, stack, what)
    if topic == "etherchannel":
        what = w.keyword("summary", "load-balance", "load-balancing", "detail")
        w.end()
        return {
            "summary": show_etherchannel_summary,
            "load-balance": show_etherchannel_load_balance,
            "load-balancing": show_etherchannel_load_balancing,
            "detail": show_etherchannel_detail,
        }[what](lab, stack)
    if topic == "running-config":
        if not w.more():
            return show_running_config(stack)
        w.keyword("interface")
        name = _interface(stack, w)
        w.end()
        return show_running_config_interface(stack, name)
    return _interfaces(lab, stack, w)


_VIEWS = ("status", "switchport", "trunk")


def _interfaces(lab: Lab, stack: SwitchStack, w: Words) -> str:
    name = None
    word = w.peek()
    if word is not None and not any(v.startswith(word.lower()) for v in _VIEWS):
        name = _interface(stack, w)
    view = w.optional(*_VIEWS)
    w.end()
    if view == "status":
        return show_interfaces_status(lab, stack, name)
    if view == "switchport":
        return show_interfaces_switchport(lab, stack, name)
    if view == "trunk":
        return show_interfaces_trunk(lab, stack, name)
    return show_interfaces(lab, stack, name)


def _interface(stack: SwitchStack, w: Words) -> str:
    column = w.column()
    name = w.interface()
    if name not in stack.interfaces:
        raise CliError(INVALID, column)
    return name
