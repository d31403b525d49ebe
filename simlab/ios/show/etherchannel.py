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
    lines = [_FLAGS, f"Number of channel-groups in use: {len(groups)}",
             f"Number of aggregators:           {len(groups)}", "",
             "Group  Port-channel  Protocol    Ports",
             "------+-------------+-----------+-----------------------------------------------"]
    for state in groups:
        cells = [f"{m.port}({m.flag})" for m in state.members]
        head = f"{state.group:<7}{state.name + '(' + state.flags + ')':<16}{state.protocol:<12}"
        rows = [cells[i:i + 2] for i in range(0, len(cells), 2)] or [[]]
        lines.append(head + "".join(f"{c:<16}" for c in rows[0]))
        lines += [" " * 35 + "".join(f"{c:<16}" for c in row) for row in rows[1:]]
    return "\n".join(lines) + "\n\n"


_HASH = {
    "src-mac": ("Source MAC address", "Source MAC address", "Source MAC address"),
    "dst-mac": ("Destination MAC address", "Destination MAC address", "Destination MAC address"),
    "src-dst-mac": ("Source XOR Destination MAC address",) * 3,
    "src-ip": ("Source MAC address", "Source IP address", "Source IP address"),
    "dst-ip": ("Destination MAC address", "Destination IP address", "Destination IP address"),
    "src-dst-ip": ("Source XOR Destination MAC address", "Source XOR Destination IP address",
                   "Source XOR Destination IP address"),
}


def show_etherchannel_load_balance(lab: Lab, stack: SwitchStack) -> str:
    non_ip, ipv4, ipv6 = _HASH.get(stack.load_balance, (stack.load_balance,) * 3)
    return (f"EtherChannel Load-Balancing Configuration:\n        {stack.load_balance}\n\n"
            "EtherChannel Load-Balancing Addresses Used Per-Protocol:\n"
            f"Non-IP: {non_ip}\n  IPv4: {ipv4}\n  IPv6: {ipv6}\n\n")


def show_lacp_neighbor(lab: Lab, stack: SwitchStack) -> str:
    lines = ["Flags:  S - Device is requesting Slow LACPDUs ",
             "        F - Device is requesting Fast LACPDUs",
             "        A - Device is in Active mode       P - Device is in Passive mode     ", ""]
    age = int(lab.clock.now()) % 30
    for group in links.channel_groups(stack):
        state = links.port_channel_state(lab, stack, group)
        if state.protocol != "LACP":
            continue
        lines += [f"Channel group {group} neighbors", "",
                  "                  LACP port                        Admin  Oper   Port    Port",
                  "Port      Flags   Priority  Dev ID          Age    key    Key    Number  State"]
        for m in state.members:
            iface = stack.interface(m.port)
            # LACPDUs flow only when one end is active: two passive ends never hear each other.
            heard = m.flag != "D" and (m.partner_active or iface.channel_mode == "active")
            if m.partner is None or m.partner_mac is None or not heard:
                lines.append(f"{m.port:<10}{'SP':<8}{0:<10}{'0000.0000.0000':<16}{'0s':>3}    "
                             f"{'0x0':<7}{'0x0':<7}{'0x0':<8}0x0")
                continue
            bond = links.server_bond(lab, m.partner)
            nics = bond.nics if bond else [m.partner_nic]
            first = lab.server_nic(m.partner, nics[0]) if nics else None
            dev_id = cisco_mac(first.mac if first else m.partner_mac)
            number = nics.index(m.partner_nic) + 1 if m.partner_nic in nics else 1
            flags, port_state = ("SA", "0x3D") if m.partner_active else ("SP", "0x3C")
            lines.append(f"{m.port:<10}{flags:<8}{32768:<10}{dev_id:<16}{str(age) + 's':>3}    "
                         f"{'0x0':<7}{'0x' + format(group, 'X'):<7}{'0x' + format(number, 'X'):<8}{port_state}")
        lines.append("")
    return "\n".join(lines) + "\n"
