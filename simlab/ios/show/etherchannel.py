"""show etherchannel summary, show etherchannel load-balance, show lacp neighbor."""

from __future__ import annotations

from simlab.ios.oper import cisco_mac
from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.switch import SwitchStack

_FLAGS = """\
Flags:  D - down        P - bundled in port-channel
        I - stand-alone s - suspended
        H - Hot-standby (LACP only)
        R - Layer3      S - Layer2
        U - in use      f - failed to allocate aggregator

        M - not in use, minimum links not met
        u - unsuitable for bundling
        w - waiting to be aggregated
        d - default port

        A - formed by Auto LAG

"""


def show_etherchannel_summary(lab: Lab, stack: SwitchStack) -> str:
    groups = [links.port_channel_state(lab, stack, g) for g in links.channel_groups(stack)]
    lines = [
        _FLAGS,
        f"Number of channel-groups in use: {len(groups)}",
        f"Number of aggregators:           {len(groups)}",
        "",
        "Group  Port-channel  Protocol    Ports",
        "------+-------------+-----------+-----------------------------------------------",
    ]
    for state in groups:
        cells = [f"{m.port}({m.flag})" for m in state.members]
        head = f"{state.group:<7}{state.name + '(' + state.flags + ')':<16}{state.protocol:<12}"
        rows = [cells[i : i + 2] for i in range(0, len(cells), 2)] or [[]]
        lines.append(head + "".join(f"{c:<16}" for c in rows[0]))
        lines += [" " * 35 + "".join(f"{c:<16}" for c in row) for row in rows[1:]]
    return "\n".join(lines) + "\n\n"


_HASH = {
    "src-mac": ("Source MAC address", "Source MAC address", "Source MAC address"),
    "dst-mac": ("Destination MAC address", "Destination MAC address", "Destination MAC address"),
    "src-dst-mac": ("Source XOR Destination MAC address",) * 3,
    "src-ip": ("Source MAC address", "Source IP address", "Source IP address"),
    "dst-ip": ("Destination MAC address", "Destination IP address", "Destination IP address"),
    "src-dst-ip": (
        "Source XOR Destination MAC address",
        "Source XOR Destination IP address",
        "Source XOR Destination IP address",
    ),
}


def show_etherchannel_load_balance(lab: Lab, stack: SwitchStack) -> str:
    non_ip, ipv4, ipv6 = _HASH.get(stack.load_balance, (stack.load_balance,) * 3)
    return (
        f"EtherChannel Load-Balancing Configuration:\n        {stack.load_balance}\n\n"
        "EtherChannel Load-Balancing Addresses Used Per-Protocol:\n"
        f"Non-IP: {non_ip}\n  IPv4: {ipv4}\n  IPv6: {ipv6}\n\n"
    )


def show_lacp_neighbor(lab: Lab, stack: SwitchStack) -> str:
    lines = [
        "Flags:  S - Device is requesting Slow LACPDUs ",
        "        F - Device is requesting Fast LACPDUs",
        "        A - Device is in Active mode       P - Device is in Passive mode     ",
        "",
    ]
    age = int(lab.clock.now()) % 30
    for group in links.channel_groups(stack):
        state = links.port_channel_state(lab, stack, group)
        if state.protocol != "LACP":
            continue
        lines += [
            f"Channel group {group} neighbors",
            "",
            "                  LACP port                        Admin  Oper   Port    Port",
            "Port      Flags   Priority  Dev ID          Age    key    Key    Number  State",
        ]
        for m in state.members:
            iface = stack.interface(m.port)
            # LACPDUs flow only when one end is active: two passive ends never hear each other.
            heard = m.flag != "D" and (m.partner_active or iface.channel_mode == "active")
            if m.partner is None or m.partner_mac is None or not heard:
                lines.append(
                    f"{m.port:<10}{'SP':<8}{0:<10}{'0000.0000.0000':<16}{'0s':>3}    {'0x0':<7}{'0x0':<7}{'0x0':<8}0x0"
                )
                continue
            bond = links.server_bond(lab, m.partner)
            nics = bond.nics if bond else [m.partner_nic]
            first = lab.server_nic(m.partner, nics[0]) if nics else None
            dev_id = cisco_mac(first.mac if first else m.partner_mac)
            number = nics.index(m.partner_nic) + 1 if m.partner_nic in nics else 1
            flags, port_state = ("SA", "0x3D") if m.partner_active else ("SP", "0x3C")
            lines.append(
                f"{m.port:<10}{flags:<8}{32768:<10}{dev_id:<16}{str(age) + 's':>3}    "
                f"{'0x0':<7}{'0x' + format(group, 'X'):<7}{'0x' + format(number, 'X'):<8}{port_state}"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


_LB_ALGO = {
    "src-mac": "Source MAC",
    "dst-mac": "Destination MAC",
    "src-dst-mac": "Source Destination MAC",
    "src-ip": "Source IP",
    "dst-ip": "Destination IP",
    "src-dst-ip": "Source Destination IP",
}


def show_etherchannel_load_balancing(lab: Lab, stack: SwitchStack) -> str:
    """The IOS-XE layout (genieparser ShowEtherChannelLoadBalancing): one method, every Port-channel."""
    algo = _LB_ALGO.get(stack.load_balance, stack.load_balance)
    lines = [
        "EtherChannel Load-Balancing Method: ",
        "Global LB Method: flow-based",
        f"LB Algo type: {algo}",
        "",
        "  Port-Channel:                       LB Method",
    ]
    for group in links.channel_groups(stack):
        lines.append(f"    {'Port-channel' + str(group):<32}:  flow-based ({algo})")
    return "\n".join(lines) + "\n\n"


_DETAIL_FLAGS = [
    "Flags:  S - Device is sending Slow LACPDUs   F - Device is sending fast LACPDUs.",
    "        A - Device is in active mode.        P - Device is in passive mode.",
]
_PORT_STATE = {
    "P": "Up Mstr Assoc In-Bndl",
    "s": "Up Mstr Susp",
    "I": "Up Indep",
    "H": "Up Mstr Assoc Hot-sby",
    "D": "Down Not-in-Bndl",
}


def _age(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 86400}d:{s // 3600 % 24:02d}h:{s // 60 % 60:02d}m:{s % 60:02d}s"


def show_etherchannel_detail(lab: Lab, stack: SwitchStack) -> str:
    """``show etherchannel detail``: per group its ports (local and partner LACP state) and its Port-channel."""
    from simlab.ios.show.lacp import PRIORITY, STATES, heard, port_number, port_state

    up = _age(lab.clock.now())
    age = int(lab.clock.now()) % 30
    lines = ["\t\tChannel-group listing: ", "\t\t----------------------", ""]
    for group in links.channel_groups(stack):
        state = links.port_channel_state(lab, stack, group)
        protocol = state.protocol if state.protocol != "-" else "-"
        lines += [
            f"Group: {group} ",
            "----------",
            "Group state = L2 ",
            f"Ports: {len(state.members)}   Maxports = 16",
            "Port-channels: 1 Max Port-channels = 16",
            f"Protocol:   {protocol}",
            "Minimum Links: 0",
            "",
            "",
            "\t\tPorts in the group:",
            "\t\t-------------------",
        ]
        for m in state.members:
            iface = stack.interface(m.port)
            active = iface.channel_mode == "active"
            mode = (iface.channel_mode or "on").capitalize()
            key = f"0x{group:X}"
            lines += [
                f"Port: {m.port}",
                "------------",
                "",
                f"Port state    = {_PORT_STATE.get(m.flag, 'Down Not-in-Bndl')} ",
                f"Channel group = {group:<12}Mode = {mode:<15}Gcchange = -",
                f"Port-channel  = {state.name:<12}GC   =   -             Pseudo port-channel = {state.name}",
                f"Port index    = 0           Load = 0x00            Protocol =   {protocol}",
                "",
                *_DETAIL_FLAGS,
                "",
                "Local information:",
                "                                LACP port    Admin     Oper    Port        Port",
                "Port          Flags   State     Priority     Key       Key     Number      State",
                f"{m.port:<14}{'SA' if active else 'SP':<8}{STATES.get(m.flag, 'down'):<10}{PRIORITY:<13}"
                f"{key:<10}{key:<8}{'0x' + format(port_number(m.port), 'X'):<12}"
                f"0x{port_state(active, m.flag):X}",
                "",
            ]
            if heard(stack, m):
                bond = links.server_bond(lab, m.partner or "")
                nics = bond.nics if bond else [m.partner_nic]
                first = lab.server_nic(m.partner or "", nics[0]) if nics else None
                number = nics.index(m.partner_nic) + 1 if m.partner_nic in nics else 1
                dev_id = cisco_mac(first.mac if first else m.partner_mac or "")
                flags = "SA" if m.partner_active else "SP"
                lines += [
                    " Partner's information:",
                    "",
                    "                     LACP port                      Admin  Oper   Port    Port",
                    "Port          Flags  Priority  Dev ID          Age  key    Key    Number  State",
                    f"{m.port:<14}{flags:<7}{PRIORITY:<10}{dev_id:<16}{str(age) + 's':>3}  {'0x0':<7}"
                    f"{key:<7}{'0x' + format(number, 'X'):<8}0x{port_state(m.partner_active, m.flag):X}",
                    "",
                ]
            lines += [f"Age of the port in the current state: {up}", ""]
        bundled = state.bundled
        lines += [
            "\t\tPort-channels in the group:",
            "\t\t---------------------------",
            "",
            f"Port-channel: {state.name}    ({'Primary Aggregator' if protocol == 'LACP' else 'Primary'})",
            "",
            "------------",
            "",
            f"Age of the Port-channel   = {up}",
            f"Logical slot/port   = 9/{group:<10}Number of ports = {len(bundled)}",
            "HotStandBy port = null",
            f"Port state          = Port-channel {'Ag-Inuse' if state.flags == 'SU' else 'Ag-Not-Inuse'}",
            f"Protocol            =   {protocol}",
            "Port security       = Disabled",
            "",
            "Ports in the Port-channel:",
            "",
            "Index   Load   Port        EC state        No of bits",
            "------+------+------+------------------+-----------",
        ]
        for m in bundled:
            ec = "Active" if stack.interface(m.port).channel_mode == "active" else "Passive"
            lines.append(f"  0     00     {m.port:<12}{ec:<19}0")
        if bundled:
            lines += ["", f"Time since last port bundled:    {up}    {bundled[-1].port}"]
        lines.append("")
    return "\n".join(lines) + "\n"
