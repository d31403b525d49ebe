"""show version, show switch, show system mtu."""

from __future__ import annotations

from simlab.ios.oper import cisco_mac
from simlab.model.lab import Lab
from simlab.model.switch import SwitchStack


def _uptime(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' * (days != 1)}"] if days else []
    if hours or days:
        parts.append(f"{hours} hour{'s' * (hours != 1)}")
    parts.append(f"{mins} minute{'s' * (mins != 1)}")
    return ", ".join(parts)


def _serial(stack: SwitchStack, number: int) -> str:
    return "FDO" + stack.members[number].mac.replace(":", "")[-8:].upper()


def show_version(lab: Lab, stack: SwitchStack) -> str:
    uptime = _uptime(lab.clock.now())
    first = min(stack.members)
    ports = stack.ports_per_member + 4
    lines = [
        f"Cisco IOS XE Software, Version {stack.version}",
        "Cisco IOS Software [Gibraltar], Catalyst L3 Switch Software (CAT3K_CAA-UNIVERSALK9-M), "
        f"Version {stack.version}, RELEASE SOFTWARE (fc5)",
        "Technical Support: http://www.cisco.com/techsupport",
        "Copyright (c) 1986-2020 by Cisco Systems, Inc.",
        "Compiled Thu 09-Jul-20 21:49 by mcpre",
        "",
        "",
        "ROM: IOS-XE ROMMON",
        "BOOTLDR: CAT3K_CAA Boot Loader (CAT3K_CAA-HBOOT-M) Version 4.78, RELEASE SOFTWARE (P)",
        "",
        f"{stack.hostname} uptime is {uptime}",
        f"Uptime for this control processor is {uptime}",
        "System returned to ROM by Power Failure",
        'System image file is "flash:packages.conf"',
        "Last reload reason: Power Failure",
        "",
        "",
        f"cisco {stack.model} (MIPS) processor (revision N0) with 832749K/6147K bytes of memory.",
        f"Processor board ID {_serial(stack, first)}",
        "2 Virtual Ethernet interfaces",
        f"{ports * len(stack.members)} Gigabit Ethernet interfaces",
        "2048K bytes of non-volatile configuration memory.",
        "4194304K bytes of physical memory.",
        "",
        f"Base Ethernet MAC Address          : {stack.members[first].mac}",
        f"Model Number                       : {stack.model}",
        f"System Serial Number               : {_serial(stack, first)}",
        "",
        "",
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
    ]
    for n in sorted(stack.members):
        mark = "*" if n == first else " "
        lines.append(f"{mark}{n:>5} {ports:<5} {stack.model:<18} {stack.version:<17} CAT3K_CAA-UNIVERSALK9 INSTALL")
    for n in sorted(stack.members):
        if n == first:
            continue
        lines += [
            "",
            "",
            f"Switch {n:02d}",
            "---------",
            f"Switch uptime                      : {uptime} ",
            f"Base Ethernet MAC Address          : {stack.members[n].mac}",
            f"Model Number                       : {stack.model}",
            f"System Serial Number               : {_serial(stack, n)}",
        ]
    lines += ["", "Configuration register is 0x102", ""]
    return "\n".join(lines) + "\n"


def show_switch(lab: Lab, stack: SwitchStack) -> str:
    lines = [
        f"Switch/Stack Mac Address : {cisco_mac(stack.base_mac)} - Local Mac Address",
        "Mac persistency wait time: Indefinite",
        "                                             H/W   Current",
        "Switch#   Role    Mac Address     Priority Version  State ",
        "-------------------------------------------------------------------------------------",
    ]
    for n in sorted(stack.members):
        m = stack.members[n]
        mark = "*" if m.role == "Active" else " "
        lines.append(f"{mark}{n:<8}{m.role:<9}{cisco_mac(m.mac):<19}{m.priority:<7}{m.hw_version:<8}{m.state:<21}")
    return "\n".join(lines) + "\n\n"


def show_system_mtu(lab: Lab, stack: SwitchStack) -> str:
    return f"\nGlobal Ethernet MTU is {stack.system_mtu} bytes.\n"


def _item(name: str, descr: str, pid: str, vid: str, serial: str) -> list[str]:
    return [f'NAME: "{name}", DESCR: "{descr}"', f"PID: {pid:<18}, VID: {vid:<5}, SN: {serial}", ""]


def show_inventory(lab: Lab, stack: SwitchStack) -> str:
    """A Catalyst stack as ``show inventory`` lists it (genieparser's c3850 sample): the stack, each switch
    and its power supply."""
    first = min(stack.members)
    family = "c" + "".join(ch for ch in stack.model.split("-C")[-1] if ch.isdigit())[:2] + "xx Stack"
    lines = ["", *_item(family, family, stack.model, stack.members[first].hw_version, _serial(stack, first))]
    for n in sorted(stack.members):
        member = stack.members[n]
        lines += _item(f"Switch {n}", stack.model, stack.model, member.hw_version, _serial(stack, n))
        psu = f"Switch {n} - Power Supply A"
        lines += _item(psu, psu, "PWR-C2-250WAC", "V02", "LIT" + _serial(stack, n)[3:])
    return "\n".join(lines) + "\n"
