"""show lacp sys-id|counters|internal|neighbor detail, show pagp neighbor|counters|internal.

Layouts of real IOS-XE output (genieparser's ShowLacp* and ShowPagp* samples). State comes from
``simlab.model.links``: a member's LACP state is its etherchannel flag (P bndl, s susp, I indep,
H hot-sby, D down); LACPDUs flow every 30 s (slow rate) while the link is up, so the counters
grow with the lab's clock. PAgP groups (``mode auto|desirable``) are listed by the PAgP commands,
with no neighbor (no server bond speaks PAgP); a switch with none prints the legend alone.
"""

from __future__ import annotations

from simlab.ios.oper import cisco_mac
from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.links import MemberState, PortChannelState
from simlab.model.switch import SwitchStack
from xenlab.ifname import parse_port

PRIORITY = 32768
LACP_INTERVAL_S = 30  # slow rate
STATES = {"P": "bndl", "s": "susp", "I": "indep", "H": "hot-sby", "D": "down"}
_LEGEND = [
    "Flags:  S - Device is requesting Slow LACPDUs ",
    "        F - Device is requesting Fast LACPDUs",
    "        A - Device is in Active mode       P - Device is in Passive mode     ",
]


def lacp_groups(lab: Lab, stack: SwitchStack) -> list[PortChannelState]:
    states = [links.port_channel_state(lab, stack, g) for g in links.channel_groups(stack)]
    return [s for s in states if s.protocol == "LACP"]


def heard(stack: SwitchStack, m: MemberState) -> bool:
    """LACPDUs flow only when one end is active: two passive ends never hear each other."""
    iface = stack.interface(m.port)
    return m.flag != "D" and m.partner_mac is not None and (m.partner_active or iface.channel_mode == "active")


def port_number(port: str) -> int:
    numbers = parse_port(port).numbers
    return (numbers[0] << 8) + numbers[-1] + 1 if len(numbers) == 3 else numbers[-1] + 1


def port_state(active: bool, flag: str) -> int:
    """LACP actor state bits: activity 1, aggregation 4, sync 8, collecting 16, distributing 32, defaulted 64."""
    bits = (1 if active else 0) | 4
    if flag == "P":
        bits |= 8 | 16 | 32
    elif flag in ("D", "I"):
        bits |= 64
    return bits


def show_lacp_sys_id(lab: Lab, stack: SwitchStack) -> str:
    return f"{PRIORITY}, {cisco_mac(stack.base_mac)}\n"


def show_lacp_counters(lab: Lab, stack: SwitchStack) -> str:
    sent_so_far = int(lab.clock.now() // LACP_INTERVAL_S) + 1
    lines: list[str] = []
    for state in lacp_groups(lab, stack):
        lines += [
            "             LACPDUs         Marker      Marker Response    LACPDUs",
            "Port       Sent   Recv     Sent   Recv     Sent   Recv      Pkts Err",
            "---------------------------------------------------------------------",
            f"Channel group: {state.group}",
        ]
        for m in state.members:
            sent = 0 if m.flag == "D" else sent_so_far
            recv = sent if heard(stack, m) else 0
            lines.append(f"{m.port:<11}{sent:<7}{recv:<9}{0:<7}{0:<9}{0:<7}{0:<10}{0}")
        lines.append("")
    return "\n".join(lines) + "\n" if lines else "\n"


def show_lacp_internal(lab: Lab, stack: SwitchStack) -> str:
    lines = [*_LEGEND, ""]
    for state in lacp_groups(lab, stack):
        lines += [
            f"Channel group {state.group}",
            "                            LACP port     Admin     Oper    Port        Port",
            "Port      Flags   State     Priority      Key       Key     Number      State",
        ]
        for m in state.members:
            active = stack.interface(m.port).channel_mode == "active"
            key = f"0x{state.group:X}"
            lines.append(
                f"{m.port:<10}{'SA' if active else 'SP':<8}{STATES.get(m.flag, 'down'):<10}{PRIORITY:<14}"
                f"{key:<10}{key:<8}{'0x' + format(port_number(m.port), 'X'):<12}"
                f"0x{port_state(active, m.flag):X}"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _partner(lab: Lab, m: MemberState) -> tuple[str, int]:
    """(system id, port number) of the far end: the bond's first NIC's MAC, the NIC's place in the bond."""
    assert m.partner is not None and m.partner_mac is not None
    bond = links.server_bond(lab, m.partner)
    nics = bond.nics if bond else [m.partner_nic]
    first = lab.server_nic(m.partner, nics[0]) if nics else None
    number = nics.index(m.partner_nic) + 1 if m.partner_nic in nics else 1
    return cisco_mac(first.mac if first else m.partner_mac), number


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def show_lacp_neighbor_detail(lab: Lab, stack: SwitchStack) -> str:
    lines = [*_LEGEND, ""]
    age = int(lab.clock.now()) % LACP_INTERVAL_S
    for state in lacp_groups(lab, stack):
        lines += [f"Channel group {state.group} neighbors", "", "Partner's information:", ""]
        for m in state.members:
            if heard(stack, m):
                system, number = _partner(lab, m)
                flags, bits = (
                    ("SA", port_state(True, m.flag)) if m.partner_active else ("SP", port_state(False, m.flag))
                )
                key = f"0x{state.group:X}"
            else:
                system, number, flags, bits, key = "0000.0000.0000", 0, "SP", 0, "0x0"
            lines += [
                "          Partner               Partner                     Partner",
                "Port           System ID             Port Number     Age         Flags",
                f"{m.port:<16}{PRIORITY:05d},{system:<16}0x{number:<15X}{str(age) + 's':>3}        {flags}",
                "",
                "          LACP Partner         Partner         Partner",
                "          Port Priority        Oper Key        Port State",
                f"          {PRIORITY:<21}{key:<16}0x{bits:X}",
                "",
                "          Port State Flags Decode:",
                "          Activity:   Timeout:   Aggregation:   Synchronization:",
                f"          {'Active' if bits & 1 else 'Passive':<12}{'Long':<11}{_yes(bool(bits & 4)):<15}"
                f"{_yes(bool(bits & 8))}",
                "",
                "          Collecting:   Distributing:   Defaulted:   Expired:",
                f"          {_yes(bool(bits & 16)):<14}{_yes(bool(bits & 32)):<16}{_yes(bool(bits & 64)):<13}No",
                "",
            ]
    return "\n".join(lines) + "\n"


_PAGP_LEGEND = [
    "Flags:  S - Device is sending Slow hello.  C - Device is in Consistent state.",
    "        A - Device is in Auto mode.        P - Device learns on physical port.",
]
_PAGP_INTERNAL_LEGEND = [
    "Flags:  S - Device is sending Slow hello.  C - Device is in Consistent state.",
    "        A - Device is in Auto mode.        d - PAgP is down",
    "Timers: H - Hello timer is running.        Q - Quit timer is running.",
    "        S - Switching timer is running.    I - Interface timer is running.",
]


def show_pagp(lab: Lab, stack: SwitchStack, what: str) -> str:
    """PAgP groups (``mode auto|desirable``): no server bond speaks PAgP, so no neighbor ever answers."""
    groups = [
        s
        for s in (links.port_channel_state(lab, stack, g) for g in links.channel_groups(stack))
        if s.protocol == "PAgP"
    ]
    sent_so_far = int(lab.clock.now() // LACP_INTERVAL_S) + 1
    if what == "counters":
        lines: list[str] = []
        for state in groups:
            lines += [
                "          Information         Flush        PAgP",
                "Port      Sent    Recv     Sent    Recv    Err Pkts",
                "---------------------------------------------------",
                f"Channel group: {state.group}",
            ]
            lines += [f"{m.port:<10}{0 if m.flag == 'D' else sent_so_far:<8}{0:<9}{0:<8}{0:<8}0" for m in state.members]
            lines.append("")
        return "\n".join(lines) + "\n"
    if what == "neighbor":
        lines = [*_PAGP_LEGEND, ""]
        for state in groups:
            lines += [
                f"Channel group {state.group} neighbors",
                "         Partner              Partner          Partner         Partner Group",
                "Port      Name                 Device ID        Port       Age  Flags   Cap.",
                "",
            ]
        return "\n".join(lines) + "\n"
    lines = [*_PAGP_INTERNAL_LEGEND, ""]
    for state in groups:
        lines += [
            f"Channel group {state.group}",
            "                                Hello    Partner  PAgP     Learning  Group",
            "Port      Flags State   Timers  Interval Count   Priority   Method  Ifindex",
        ]
        for m in state.members:
            down = m.flag == "D"
            lines.append(
                f"{m.port:<10}{'d' if down else 'S':<6}{'U1/S1' if down else 'U2/S1':<8}"
                f"{'' if down else 'H':<8}{'1s' if down else '30s':<9}{0:<9}{128:<11}{'Any':<9}0"
            )
        lines.append("")
    return "\n".join(lines) + "\n"
