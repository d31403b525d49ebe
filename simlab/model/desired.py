"""What the data plane should look like for the model as it is now (pure; no root needed); part of the model
because two faces read it: the data plane builds it, dom0 answers `ip` from it.

One veth pair per (server, network): the server end is the server's interface on that
network, the switch end sits in the switch namespace, enslaved to the bridge of the VLAN
``switch_vlan_for`` says the traffic reaches, or detached and down when it reaches none.
A host's NICs get a veth pair too, unbridged, so dom0 shows their admin state and carrier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Interface, IPv4Network

from simlab.model import links
from simlab.model.lab import Lab
from simlab.model.netnames import Names
from simlab.model.objects import Cable, Network, stable_mac
from simlab.model.switch import SwitchStack
from xenlab.ifname import parse_port

# The probe is a jumbo-capable test port: its own MTU must never be what limits a path.
PROBE_MTU = 9216
# How long a guest's or the probe's ARP entry stays reachable, or waits after first use, before it is probed
# (Linux: 15-45 s reachable, 5 s delay). The twin's guests and test port are quiet: a unicast probe from a guest
# that has just moved teaches the switch where it is, as its gratuitous ARP would, at a moment its timers chose
# (5 s after the first echo it answers, then every 15-45 s), so whether a missing gratuitous ARP costs pings would
# be chance. An hour is longer than any run.
QUIET_NEIGH_MS = 3_600_000
DEFAULT_PREFIX = 24


@dataclass(frozen=True)
class Port:
    ns: str  # the server end's namespace
    name: str  # the server end
    sw_name: str  # the switch end, in the switch namespace
    mtu: int
    sw_mtu: int
    mac: str
    up: bool
    sw_up: bool
    bridge: str | None  # the switch end's master
    addrs: frozenset[str]  # "198.18.20.11/24"
    strict_mtu: bool  # drop frames above the MTU on ingress, as a NIC does
    peer_bridge: str | None = None  # the server end's master, for a pair whose both ends are in the switch namespace
    quiet_arp: bool = False  # the server end probes its ARP entries only after QUIET_NEIGH_MS (else: the kernel's)


@dataclass(frozen=True)
class Announcement:
    """A guest's gratuitous ARPs so far: the data plane sends one frame per new one."""

    count: int
    address: str
    mac: str


@dataclass(frozen=True)
class Bridge:
    mtu: int
    addrs: frozenset[str]


@dataclass(frozen=True)
class Desired:
    namespaces: frozenset[str]
    bridges: dict[str, Bridge]
    ports: dict[str, Port]  # keyed by switch-end name
    announcements: dict[str, Announcement] = field(default_factory=dict)  # by VM namespace


def _prefixed(address: str | None, network: Network | None) -> frozenset[str]:
    if not address:
        return frozenset()
    prefix = IPv4Network(network.subnet).prefixlen if network and network.subnet else DEFAULT_PREFIX
    return frozenset({f"{address}/{prefix}"})


def _svi(stack: SwitchStack, vlan: int) -> frozenset[str]:
    svi = stack.interfaces.get(f"Vlan{vlan}")
    if svi is None or svi.shutdown or not svi.ip_address:
        return frozenset()
    ip, mask = svi.ip_address.split()[:2]
    return frozenset({str(IPv4Interface(f"{ip}/{mask}"))})


def _stack_of(lab: Lab, server: str) -> SwitchStack:
    found = links.server_port_channel(lab, server)
    return found[0] if found else next(iter(lab.switches.values()))


def _switch_port_up(switch: SwitchStack, cable: Cable) -> bool:
    """The switch's end of a cable: plugged, not shut down, on a stack member that is up."""
    port = parse_port(cable.port)
    iface = switch.interfaces.get(port.long)
    member = switch.members.get(port.stack_member) if port.stack_member is not None else None
    return (
        cable.connected
        and iface is not None
        and not iface.shutdown
        and member is not None
        and (member.state == "Ready")
    )


def _bridge_of(lab: Lab, names: Names, vlan: int | None) -> str | None:
    return names.bridge(vlan) if vlan is not None else None


def _server_ports(lab: Lab, names: Names, server: str, ns: str) -> list[Port]:
    """A host's or the storage server's interfaces: one per network it has an address on, plus its NICs."""
    host = lab.hosts.get(server)
    storage = lab.storage if host is None else None
    assert host is not None or storage is not None
    powered = lab.server_powered(server)
    stack = _stack_of(lab, server)
    addresses = host.net_addresses if host else storage.net_addresses  # type: ignore[union-attr]
    untagged = host.untagged_network if host else storage.untagged_network  # type: ignore[union-attr]
    ports = []
    for net_name, address in sorted(addresses.items()):
        network = lab.networks.get(net_name)
        if network is None or not links.host_has_network(lab, server, net_name):
            continue
        if host is not None:
            name, mtu = network.bridge, host.net_mtu.get(net_name, network.mtu)
        else:
            name, mtu = names.storage_if(network.vlan, net_name == untagged), storage.mtu  # type: ignore[union-attr]
        bridge = _bridge_of(lab, names, links.switch_vlan_for(lab, server, net_name))
        ports.append(
            Port(
                ns=ns,
                name=name,
                sw_name=names.switch_end("h", server, net_name),
                mtu=mtu,
                sw_mtu=stack.system_mtu,
                mac=stable_mac(lab.name, server, "net", net_name),
                up=powered,
                sw_up=bridge is not None,
                bridge=bridge,
                addrs=_prefixed(address, network),
                strict_mtu=True,
            )
        )
    nics = host.nics if host else storage.nics  # type: ignore[union-attr]
    nic_mtu = max((p.mtu for p in ports), default=stack.system_mtu)
    for cable in lab.cables_of(server):
        nic = nics.get(cable.nic)
        if nic is None:
            continue
        switch = lab.switches[cable.switch]
        ports.append(
            Port(
                ns=ns,
                name=cable.nic,
                sw_name=names.switch_end("n", cable.switch, cable.port),
                mtu=nic_mtu,
                sw_mtu=switch.system_mtu,
                mac=nic.mac,
                up=powered and nic.admin_up,
                sw_up=_switch_port_up(switch, cable),
                bridge=None,
                addrs=frozenset(),
                strict_mtu=False,
            )
        )
    return ports


def _host_switches(lab: Lab, names: Names, bridges: dict[str, Bridge]) -> list[Port]:
    """Each host's virtual switch for a VM network, and its uplink to the switch's VLAN through the host's bond.

    A VM's VIF plugs into the switch of the host it runs on; frames reach the VLAN only through that
    host's port-channel, so the physical switch learns a VM's MAC behind the host it runs on (and
    keeps it there after a migration until the guest announces itself).
    """
    ports = []
    vm_networks = sorted({vm.network for vm in lab.vms.values() if vm.network in lab.networks})
    for host in lab.hosts.values():
        stack = _stack_of(lab, host.name)
        for net_name in vm_networks:
            inner = names.host_switch(host.name, net_name)
            bridges[inner] = Bridge(stack.system_mtu, frozenset())
            vlan = _bridge_of(lab, names, links.switch_vlan_for(lab, host.name, net_name))
            ports.append(
                Port(
                    ns=names.switch_ns,
                    name=names.uplink_end(host.name, net_name),
                    sw_name=names.switch_end("u", host.name, net_name),
                    mtu=stack.system_mtu,
                    sw_mtu=stack.system_mtu,
                    mac=stable_mac(lab.name, host.name, "uplink", net_name),
                    up=True,
                    sw_up=vlan is not None,
                    bridge=vlan,
                    addrs=frozenset(),
                    strict_mtu=False,
                    peer_bridge=inner,
                )
            )
    return ports


def desired_state(lab: Lab, names: Names) -> Desired:
    """Call with ``lab.lock`` held."""
    namespaces = {names.switch_ns}
    ports: list[Port] = []
    for host in lab.hosts.values():
        ns = names.host_ns(host.name)
        namespaces.add(ns)
        ports += _server_ports(lab, names, host.name, ns)
    if lab.storage is not None:
        ns = names.storage_ns(lab.storage.name)
        namespaces.add(ns)
        ports += _server_ports(lab, names, lab.storage.name, ns)
    bridges: dict[str, Bridge] = {}
    announcements: dict[str, Announcement] = {}
    for vm in lab.vms.values():
        network = lab.networks.get(vm.network or "")
        if network is None or vm.is_template:
            continue
        ns = names.vm_ns(vm.name)
        namespaces.add(ns)
        host = lab.hosts.get(vm.resident_on or "")
        # A paused domain keeps its carrier (the guest sees no link flap) but its VIF forwards nothing.
        vif_up = vm.power_state == "Running" and host is not None and vm.vif_attached
        bridge = names.host_switch(host.name, network.name) if vif_up and host and not vm.frozen else None
        ports.append(
            Port(
                ns=ns,
                name="eth0",
                sw_name=names.switch_end("v", vm.name),
                mtu=network.mtu,
                sw_mtu=_stack_of(lab, host.name if host else "").system_mtu,
                mac=vm.mac,
                up=True,
                sw_up=vif_up,
                bridge=bridge,
                addrs=_prefixed(vm.address, network),
                strict_mtu=False,
                quiet_arp=True,
            )
        )
        if vm.address:
            announcements[ns] = Announcement(vm.announcements, vm.address, vm.mac)
    ports += _host_switches(lab, names, bridges)
    for stack in lab.switches.values():
        for vlan in stack.vlans:
            if names.bridge(vlan) not in bridges:
                bridges[names.bridge(vlan)] = Bridge(stack.system_mtu, _svi(stack, vlan))
    if names.probe_ns and lab.switches:
        namespaces.add(names.probe_ns)
        stack = next(iter(lab.switches.values()))
        for port in lab.probe.ports:
            network = lab.networks.get(port.network)
            vlan_db = stack.vlans.get(network.vlan) if network else None
            active = vlan_db is not None and not vlan_db.shutdown and vlan_db.state == "active"
            bridge = names.bridge(network.vlan) if active and network else None
            ports.append(
                Port(
                    ns=names.probe_ns,
                    name=port.interface,
                    sw_name=names.switch_end("p", port.interface),
                    mtu=PROBE_MTU,
                    sw_mtu=stack.system_mtu,
                    mac=stable_mac(lab.name, "probe", port.interface),
                    up=True,
                    sw_up=bridge is not None,
                    bridge=bridge,
                    addrs=_prefixed(port.address, network),
                    strict_mtu=False,
                    quiet_arp=True,
                )
            )
    return Desired(frozenset(namespaces), bridges, {p.sw_name: p for p in ports}, announcements)
