"""Model-backed answers of OVS and the iSCSI initiator in dom0."""

from __future__ import annotations

from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.objects import Host

BOND = "bond0"


def member_enabled(lab: Lab, host: Host) -> dict[str, bool]:
    """Which NICs OVS lets carry traffic: with LACP, the ones the switch bundled with us."""
    if host.bond.mode != "lacp":
        return {nic: links.nic_carrier(lab, host.name, nic) for nic in host.bond.nics}
    found = links.server_port_channel(lab, host.name)
    bundled = set()
    if found is not None:
        bundled = {m.partner_nic for m in found[1].bundled if m.partner == host.name}
    return {nic: nic in bundled for nic in host.bond.nics}


def bond_show(lab: Lab, host: Host, name: str | None) -> tuple[int, str, str]:
    if name not in (None, BOND):
        return 2, "", "no such bond\novs-appctl: ovs-vswitchd: server returned an error\n"
    bond = host.bond
    enabled = member_enabled(lab, host)
    if bond.mode == "lacp":
        mode = "balance-slb" if bond.hashing == "src_mac" else "balance-tcp"
        lacp = "negotiated" if any(enabled.values()) else "configured"
    else:
        mode, lacp = ("active-backup" if bond.mode == "active-backup" else "balance-slb"), "off"
    active = next((nic for nic in bond.nics if enabled[nic]), None)
    lines = [
        f"---- {BOND} ----",
        f"bond_mode: {mode}",
        "bond may use recirculation: no, Recirc-ID : -1",
        "bond-hash-basis: 0",
        "updelay: 31000 ms",
        "downdelay: 200 ms",
        "next rebalance: 6342 ms",
        f"lacp_status: {lacp}",
        "lacp_fallback_ab: false",
    ]
    if active:
        lines.append(f"active slave mac: {host.nics[active].mac}({active})")
    for nic in bond.nics:
        lines += ["", f"slave {nic}: {'enabled' if enabled[nic] else 'disabled'}"]
        if nic == active:
            lines.append("\tactive slave")
        lines.append(f"\tmay_enable: {'true' if enabled[nic] else 'false'}")
    return 0, "\n".join(lines) + "\n", ""


def vsctl(lab: Lab, host: Host, args: list[str]) -> tuple[int, str, str]:
    bridges = [n.bridge for n in lab.networks.values() if n.name in host.net_addresses]
    if args[:1] == ["list-br"]:
        return 0, "".join(f"{b}\n" for b in bridges), ""
    if args[:1] == ["list-ports"] and len(args) == 2:
        if args[1] not in bridges:
            return 1, "", f"ovs-vsctl: no bridge named {args[1]}\n"
        return 0, f"{BOND}\n", ""
    if args[:1] == ["br-exists"] and len(args) == 2:
        return (0 if args[1] in bridges else 2), "", ""
    if args[:1] == ["--version"]:
        return 0, "ovs-vsctl (Open vSwitch) 2.5.3\n", ""
    return 1, "", f"ovs-vsctl: unknown command '{' '.join(args[:1])}'; use --help for help\n"
