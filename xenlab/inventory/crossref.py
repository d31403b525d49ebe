"""Rules that relate one part of the inventory to another.

Each rule returns the field path and the problem of the first violation, so the
loader can print one line a user can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from xenlab.ifname import parse_port

if TYPE_CHECKING:
    from xenlab.inventory.schema import Inventory

Problem = tuple[str, str]
LACP_MAX_ACTIVE = 8  # IEEE 802.1AX: at most 8 active members; more would sit in hot-standby


def _duplicates(items: Iterable[tuple[str, object]], what: str) -> Problem | None:
    """The first item whose value was seen before; items are (field path, value)."""
    seen: dict[object, str] = {}
    for path, value in items:
        shown = repr(value) if isinstance(value, str) else str(value)
        if value in seen:
            return path, f"duplicate {what} {shown} (first at {seen[value]})"
        seen[value] = path
    return None


def _field(path: str, objects: Iterable[object], field: str) -> list[tuple[str, object]]:
    return [(f"{path}[{i}].{field}", getattr(obj, field)) for i, obj in enumerate(objects)]


def _unique(inv: Inventory) -> Problem | None:
    checks: list[tuple[list[tuple[str, object]], str]] = [
        (_field("pool.hosts", inv.pool.hosts, "name"), "host name"),
        (_field("pool.hosts", inv.pool.hosts, "address"), "host address"),
        (_field("networks", inv.networks, "name"), "network name"),
        (_field("networks", inv.networks, "vlan"), "network VLAN"),
        (_field("srs", inv.srs, "name"), "SR name"),
        (_field("vms", inv.vms, "name"), "VM name"),
        (_field("switches", inv.switches, "name"), "switch name"),
    ]
    for i, sw in enumerate(inv.switches):
        checks.append((_field(f"switches[{i}].vlans", sw.vlans, "id"), "VLAN"))
        checks.append((_field(f"switches[{i}].port_channels", sw.port_channels, "id"), "port-channel"))
        # A port can be in one port-channel only, across all of a switch's port-channels.
        members = [
            (f"switches[{i}].port_channels[{j}].members[{k}]", member)
            for j, pc in enumerate(sw.port_channels)
            for k, member in enumerate(pc.members)
        ]
        checks.append((members, "member port"))
    for items, what in checks:
        if problem := _duplicates(items, what):
            return problem
    # Host names resolve through DNS and name certificates and known_hosts entries: case does not tell them apart.
    for path, objects, what in [("pool.hosts", inv.pool.hosts, "host"), ("switches", inv.switches, "switch")]:
        first: dict[str, tuple[int, str]] = {}
        for i, obj in enumerate(objects):
            name = obj.name  # type: ignore[attr-defined]
            if name.casefold() in first:
                j, other = first[name.casefold()]
                return (
                    f"{path}[{i}].name",
                    f"{what} name {name!r} differs from {other!r} ({path}[{j}].name) only in case",
                )
            first[name.casefold()] = (i, name)
    return None


def _subnets(inv: Inventory) -> Problem | None:
    """Every address given on a network lies in that network's subnet."""
    subnets = {n.name: n.subnet for n in inv.networks}
    for i, net in enumerate(inv.networks):
        if net.gateway is not None and net.subnet is not None and net.gateway not in net.subnet:
            return f"networks[{i}].gateway", f"{net.gateway} is outside {net.name}'s subnet {net.subnet}"
    placed: list[tuple[str, str, object]] = []  # (field path, network name, address)
    for i, host in enumerate(inv.pool.hosts):
        placed += [(f"pool.hosts[{i}].addresses.{net}", net, addr) for net, addr in host.addresses.items()]
    for i, vm in enumerate(inv.vms):
        if vm.network is not None and vm.address is not None:
            placed.append((f"vms[{i}].address", vm.network, vm.address))
    if inv.storage is not None:
        placed += [(f"storage.addresses.{net}", net, addr) for net, addr in inv.storage.addresses.items()]
        placed.append(("storage.portal", inv.storage.network, inv.storage.portal))
    placed += [(f"probe.interfaces[{i}].address", p.network, p.address) for i, p in enumerate(inv.probe.interfaces)]
    for path, net, addr in placed:
        subnet = subnets.get(net)
        if subnet is not None and addr not in subnet:
            return path, f"{addr} is outside {net}'s subnet {subnet}"
    return None


def _hosts(inv: Inventory) -> Problem | None:
    nets = {n.name for n in inv.networks}
    for i, host in enumerate(inv.pool.hosts):
        for net in host.addresses:
            if net not in nets:
                return f"pool.hosts[{i}].addresses.{net}", f"network {net!r} is not in networks"
        for j, nic in enumerate(inv.bond.nics):
            if nic not in host.nics:
                return f"bond.nics[{j}]", f"host {host.name} has no NIC {nic!r} (it has {', '.join(host.nics)})"
        if host.fence.method == "ipmi":
            for field in ("address", "credentials"):
                if getattr(host.fence, field) is None:
                    return f"pool.hosts[{i}].fence.{field}", f"ipmi fencing needs the BMC's {field}"
    return None


def _switches(inv: Inventory) -> Problem | None:
    peers = {h.name for h in inv.pool.hosts} | ({inv.storage.name} if inv.storage else set())
    for i, sw in enumerate(inv.switches):
        vlans = {v.id for v in sw.vlans}
        for j, pc in enumerate(sw.port_channels):
            path = f"switches[{i}].port_channels[{j}]"
            if pc.peer not in peers:
                return f"{path}.peer", f"{pc.peer!r} is neither a pool host nor the storage server"
            for k, member in enumerate(pc.members):
                port = parse_port(member)
                if port.is_port_channel or port.stack_member is None:
                    return f"{path}.members[{k}]", f"{member} is not a physical port such as Gi1/0/13"
                if port.stack_member not in sw.members:
                    return (
                        f"{path}.members[{k}]",
                        f"{member} is on stack member {port.stack_member}, which {sw.name} does not have "
                        f"(members: {', '.join(map(str, sw.members))})",
                    )
                if port.numbers[-1] > sw.ports_per_member:
                    return f"{path}.members[{k}]", f"{member}: {sw.name} has {sw.ports_per_member} ports a member"
            if pc.mode != "on" and len(pc.members) > LACP_MAX_ACTIVE:
                return (
                    f"{path}.members",
                    f"{len(pc.members)} members; LACP bundles at most {LACP_MAX_ACTIVE} active members in {pc.name}",
                )
            for k, vlan in enumerate([*pc.allowed_vlans, pc.native_vlan]):
                if vlan not in vlans and vlan != 1:
                    field = f"allowed_vlans[{k}]" if k < len(pc.allowed_vlans) else "native_vlan"
                    return f"{path}.{field}", f"VLAN {vlan} is not defined on {sw.name}"
            if "native_vlan" in pc.model_fields_set and pc.native_vlan not in pc.allowed_vlans:
                return f"{path}.native_vlan", f"native VLAN {pc.native_vlan} is not in allowed_vlans of {pc.name}"
        for j, net in enumerate(inv.networks):
            if net.vlan not in vlans:
                return f"networks[{j}].vlan", f"VLAN {net.vlan} ({net.name}) is not defined on switch {sw.name}"
            if net.mtu > sw.system_mtu:
                return (f"networks[{j}].mtu", f"{net.name} MTU {net.mtu} is above {sw.name} system_mtu {sw.system_mtu}")
    if inv.switches:
        cabled = {pc.peer for sw in inv.switches for pc in sw.port_channels}
        for i, host in enumerate(inv.pool.hosts):
            if host.name not in cabled:
                return f"pool.hosts[{i}]", f"host {host.name} is the peer of no port-channel on any switch"
    return None


def _storage(inv: Inventory) -> Problem | None:
    nets = {n.name for n in inv.networks}
    srs = {s.name: s for s in inv.srs}
    if inv.storage and inv.storage.network not in nets:
        return "storage.network", f"network {inv.storage.network!r} is not in networks"
    if inv.storage and inv.storage.mtu > inv.network(inv.storage.network).mtu:
        network = inv.network(inv.storage.network)
        return "storage.mtu", f"{inv.storage.mtu} is above the MTU of its network {network.name} ({network.mtu})"
    for i, sr in enumerate(inv.srs):
        if sr.type == "lvmoiscsi":
            for field in ("target", "iqn"):
                if getattr(sr, field) is None:
                    return f"srs[{i}].{field}", f"an lvmoiscsi SR needs {field}"
            if inv.storage and sr.target != inv.storage.portal:
                portal = inv.storage.portal
                return f"srs[{i}].target", f"{sr.target} is not the storage portal {portal} (storage.portal)"
            iqns = {t.iqn for t in inv.storage.targets} if inv.storage else set()
            if inv.storage and sr.iqn not in iqns:
                return f"srs[{i}].iqn", f"{sr.iqn} is not a target of storage {inv.storage.name}"
        if sr.role == "iso" and sr.type != "iso":
            return f"srs[{i}].type", "an SR with role iso must have type iso"
        hosts = {h.name for h in inv.pool.hosts}
        for j, host in enumerate(sr.hosts or []):
            if host not in hosts:
                return f"srs[{i}].hosts[{j}]", f"host {host!r} is not in pool.hosts"
        if sr.chap_user and (inv.storage is None or inv.storage.chap is None):
            return f"srs[{i}].chap_user", "CHAP is set but storage.chap gives no password"
    if inv.ha.timeout_s <= 10 and inv.lab.kind == "real":
        return "ha.timeout_s", f"{inv.ha.timeout_s} s: xapi needs an HA timeout above 10 s (60 is its default)"
    if inv.ha.enabled:
        if inv.ha.heartbeat_sr is None:
            return "ha.heartbeat_sr", "HA is enabled but no heartbeat SR is named"
        if inv.ha.heartbeat_sr not in srs:
            return "ha.heartbeat_sr", f"SR {inv.ha.heartbeat_sr!r} is not in srs"
        if not srs[inv.ha.heartbeat_sr].shared:
            return "ha.heartbeat_sr", f"SR {inv.ha.heartbeat_sr!r} is not shared"
        if inv.ha.failures_to_tolerate >= len(inv.pool.hosts):
            return "ha.failures_to_tolerate", f"{inv.ha.failures_to_tolerate} >= the pool's {len(inv.pool.hosts)} hosts"
    return None


def _vms(inv: Inventory) -> Problem | None:
    hosts = {h.name for h in inv.pool.hosts}
    nets = {n.name for n in inv.networks}
    for i, vm in enumerate(inv.vms):
        if vm.host not in hosts:
            return f"vms[{i}].host", f"host {vm.host!r} is not in pool.hosts"
        if vm.network is not None and vm.network not in nets:
            return f"vms[{i}].network", f"network {vm.network!r} is not in networks"
    return None


def _probe(inv: Inventory) -> Problem | None:
    nets = {n.name for n in inv.networks}
    for i, iface in enumerate(inv.probe.interfaces):
        if iface.network not in nets:
            return f"probe.interfaces[{i}].network", f"network {iface.network!r} is not in networks"
    return None


RULES: list[Callable[[Inventory], Problem | None]] = [_unique, _hosts, _switches, _storage, _vms, _probe, _subnets]


def cross_check(inv: Inventory) -> Problem | None:
    for rule in RULES:
        if problem := rule(inv):
            return problem
    return None
