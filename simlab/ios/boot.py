"""Boot a switch stack's model from the inventory.

TEMPORARY: builds the structured config directly. The switch face replaces this
with: render an IOS startup-config from the inventory (or read the file the
inventory names), then parse it with the same parser the CLI uses.
"""

from __future__ import annotations

from simlab.model.build import stable_mac
from simlab.model.switch import Interface, StackMember, SwitchStack, Vlan
from xenlab.inventory.schema import Inventory, Switch


def boot_switch(sw: Switch, inv: Inventory) -> SwitchStack:
    members = {
        n: StackMember(n, "Active" if i == 0 else ("Standby" if i == 1 else "Member"),
                       stable_mac(inv.lab.name, sw.name, "member", n), max(1, 15 - i))
        for i, n in enumerate(sw.members)
    }
    stack = SwitchStack(
        name=sw.name, hostname=sw.prompt, model=sw.model, address=str(sw.address), port=sw.port,
        username=sw.credentials.username, password_ref=sw.credentials.password.ref,
        enable_ref=sw.credentials.enable_secret.ref if sw.credentials.enable_secret else None,
        members=members, ports_per_member=sw.ports_per_member, system_mtu=sw.system_mtu,
        load_balance=sw.load_balance, vlans={1: Vlan(1, "default")}, interfaces={},
        base_mac=members[sw.members[0]].mac,
    )
    for v in sw.vlans:
        stack.vlans[v.id] = Vlan(v.id, v.name)
        if v.svi:
            svi = stack.interface(f"Vlan{v.id}")
            svi.ip_address = f"{v.svi.ip} {v.svi.netmask}"
    for n in sw.members:
        for p in range(1, sw.ports_per_member + 1):
            stack.interface(f"GigabitEthernet{n}/0/{p}")
    for pc in sw.port_channels:
        for name in [f"Port-channel{pc.id}", *pc.members]:
            iface: Interface = stack.interface(name)
            iface.switchport_mode = "trunk"
            iface.native_vlan = pc.native_vlan
            iface.allowed_vlans = frozenset(pc.allowed_vlans)
            if not name.startswith("Port"):
                iface.channel_group = pc.id
                iface.channel_mode = pc.mode
                iface.channel_protocol = "lacp" if pc.mode != "on" else None
            iface.description = pc.description
    return stack
