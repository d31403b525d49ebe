"""Boot a switch stack: its hardware from the inventory, its configuration from a startup-config text.

The text is the file the inventory's ``startup_config`` names (say a ``show running-config`` saved
from the real stack, to rehearse a change), else the workshop config written from the inventory.
It is parsed by the same code the CLI's configuration mode uses.
"""

from __future__ import annotations

from simlab.ios.config import GLOBAL, apply_line
from simlab.ios.startup import startup_config
from simlab.model.objects import stable_mac
from simlab.model.switch import Interface, StackMember, SwitchStack, Vlan
from xenlab.inventory.loader import InventoryError, inventory_path
from xenlab.inventory.schema import Inventory, Switch

# VLANs every Catalyst has in its database and that cannot be deleted.
_DEFAULT_VLANS = {
    1: "default",
    1002: "fddi-default",
    1003: "token-ring-default",
    1004: "fddinet-default",
    1005: "trnet-default",
}


def hardware(sw: Switch, inv: Inventory) -> SwitchStack:
    """A stack with factory defaults: its members, their ports, and the default VLANs."""
    members = {
        n: StackMember(
            n,
            "Active" if i == 0 else ("Standby" if i == 1 else "Member"),
            stable_mac(inv.lab.name, sw.name, "member", n),
            max(1, 15 - i),
        )
        for i, n in enumerate(sw.members)
    }
    vlans = {vid: Vlan(vid, name, state="active" if vid == 1 else "act/unsup") for vid, name in _DEFAULT_VLANS.items()}
    stack = SwitchStack(
        name=sw.name,
        hostname="Switch",
        model=sw.model,
        address=str(sw.address),
        port=sw.port,
        username=sw.credentials.username,
        password_ref=sw.credentials.password.ref,
        enable_ref=sw.credentials.enable_secret.ref if sw.credentials.enable_secret else None,
        members=members,
        ports_per_member=sw.ports_per_member,
        system_mtu=1500,
        load_balance="src-mac",
        vlans=vlans,
        interfaces={},
        base_mac=members[sw.members[0]].mac,
    )
    for n in sw.members:
        for p in range(1, sw.ports_per_member + 1):
            name = f"GigabitEthernet{n}/0/{p}"
            stack.interfaces[name] = Interface(name)
    return stack


def startup_text(sw: Switch, inv: Inventory) -> str:
    if sw.startup_config is None:
        return startup_config(sw)
    path = inventory_path(inv, sw.startup_config)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InventoryError(
            inv.source, f"switches[{inv.switches.index(sw)}].startup_config", f"cannot read {path}: {exc.strerror}"
        ) from None


def boot_switch(sw: Switch, inv: Inventory) -> SwitchStack:
    stack = hardware(sw, inv)
    load_config(stack, startup_text(sw, inv))
    return stack


_HEADER = ("Building configuration", "Current configuration", "Last configuration change", "NVRAM config last")


def load_config(stack: SwitchStack, text: str) -> None:
    """Apply a whole config file (startup-config, a saved ``show running-config``) as IOS boots it."""
    mode = GLOBAL
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if line.lstrip("! ").startswith(_HEADER) or line.strip().startswith("#"):
            continue
        if line.strip() == "end":
            break
        if line.startswith("banner "):  # a banner runs to its closing delimiter, over any lines
            delimiter = line.split()[2][:2] if len(line.split()) > 2 else "^C"
            block = [line]
            while line.count(delimiter) < 2 and i < len(lines):
                line = lines[i].rstrip()
                i += 1
                block.append(line)
                if delimiter in line:
                    break
            stack.other_lines.append("\n".join(block))
            mode = GLOBAL
            continue
        mode = apply_line(stack, mode, line, keep_unknown=True)
