"""Make the kernel match a ``Desired`` state, changing only what differs.

One netlink socket per namespace, opened from inside it (``xenlab.netns.inside``) and
kept. Each pass compares the desired ports with what the last pass applied and reads the
kernel only for namespaces that changed; the first pass checks everything.
"""

from __future__ import annotations

import errno
import logging
import socket
import subprocess

from pyroute2 import IPRoute, netns
from pyroute2.netlink.exceptions import NetlinkError

from simlab.faces.dataplane.offload import offloads_off
from simlab.model.desired import QUIET_NEIGH_MS, Bridge, Desired, Port
from simlab.model.netnames import Names
from xenlab import netns as xnetns

log = logging.getLogger("simlab.dataplane")
IFF_UP = 1


class Kernel:
    """Netlink sockets per namespace and the last state applied."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.sockets: dict[str, IPRoute] = {}
        self.applied_ports: dict[str, Port] = {}
        self.applied_bridges: dict[str, Bridge] = {}
        self.applied_nft: dict[str, dict[str, int]] = {}
        self.ioctl_sockets: dict[str, socket.socket] = {}

    # -- namespaces -----------------------------------------------------------------------
    def ipr(self, ns: str) -> IPRoute:
        if ns not in self.sockets:
            with xnetns.inside(ns):
                sock = IPRoute()
                # Talk once while inside, so the socket is bound here and not lazily in another namespace.
                sock.link_lookup(ifname="lo")
            self.sockets[ns] = sock
        return self.sockets[ns]

    def ioctl_socket(self, ns: str) -> socket.socket:
        if ns not in self.ioctl_sockets:
            with xnetns.inside(ns):
                self.ioctl_sockets[ns] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        return self.ioctl_sockets[ns]

    def create_ns(self, ns: str) -> None:
        netns.create(ns)
        # The lab is IPv4 only. Left on, IPv6 has every interface that comes up send DAD and MLD frames from its
        # MAC, which teach the bridges where a migrated guest is as a gratuitous ARP would, at random moments.
        for scope in ("all", "default", "lo"):
            self._sysctl(ns, f"ipv6/conf/{scope}/disable_ipv6", 1)
        ipr = self.ipr(ns)
        ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")

    @staticmethod
    def _sysctl(ns: str, key: str, value: int) -> None:
        """Set net.<key> in ``ns`` (/proc/sys/net is the opener's namespace's)."""
        with xnetns.inside(ns), open(f"/proc/sys/net/{key}", "w") as sysctl:
            sysctl.write(str(value))

    def remove_ns(self, ns: str) -> None:
        sock = self.sockets.pop(ns, None)
        if sock is not None:
            sock.close()
        ioctl = self.ioctl_sockets.pop(ns, None)
        if ioctl is not None:
            ioctl.close()
        if xnetns.exists(ns):
            netns.remove(ns)
        self.applied_nft.pop(ns, None)
        for key in [k for k, p in self.applied_ports.items() if p.ns == ns]:
            del self.applied_ports[key]

    def close(self) -> None:
        for sock in self.sockets.values():
            sock.close()
        self.sockets.clear()
        for ioctl in self.ioctl_sockets.values():
            ioctl.close()
        self.ioctl_sockets.clear()

    # -- one pass ---------------------------------------------------------------------------
    def apply(self, want: Desired) -> int:
        """Reconcile; return the number of kernel changes made."""
        changes = 0
        ours = {ns for ns in netns.listnetns() if self.names.owns(ns)}
        for ns in sorted(ours - want.namespaces):
            self.remove_ns(ns)
            changes += 1
        for ns in sorted(want.namespaces - ours):
            self.create_ns(ns)
            changes += 1
        sw = self.ipr(self.names.switch_ns)
        sw_links = {m.get("ifname"): m for m in sw.get_links()}
        changes += self._bridges(sw, sw_links, want.bridges)
        bridge_index = {name: sw_links[name]["index"] for name in want.bridges if name in sw_links}
        for name in [n for n in sw_links if n and self.names.is_switch_end(n) and n not in want.ports]:
            try:
                sw.link("del", index=sw_links[name]["index"])  # the peer goes with it
            except NetlinkError as exc:
                # Gone already: a removed namespace takes its veth peers out of the switch asynchronously.
                if exc.code != errno.ENODEV:
                    raise
            self.applied_ports.pop(name, None)
            changes += 1
        changed = [p for key, p in want.ports.items() if self.applied_ports.get(key) != p or key not in sw_links]
        server_links: dict[str, dict[str, object]] = {}
        for port in changed:
            if port.ns not in server_links:
                server_links[port.ns] = {m.get("ifname"): m for m in self.ipr(port.ns).get_links()}
            changes += self._port(sw, sw_links, server_links[port.ns], bridge_index, port)
            self.applied_ports[port.sw_name] = port
        changes += self._strict_mtu(want)
        return changes

    def _bridges(self, sw: IPRoute, sw_links: dict, bridges: dict[str, Bridge]) -> int:
        changes = 0
        for name, bridge in bridges.items():
            if name not in sw_links:
                sw.link("add", ifname=name, kind="bridge")
                index = sw.link_lookup(ifname=name)[0]
                # Set, not created with: a bridge whose MTU was set keeps it whatever its ports' MTUs.
                sw.link("set", index=index, mtu=bridge.mtu)
                sw_links[name] = sw.get_links(index)[0]
                changes += 1
            msg = sw_links[name]
            if self.applied_bridges.get(name) == bridge and msg["flags"] & IFF_UP:
                continue
            if msg.get("mtu") != bridge.mtu or not msg["flags"] & IFF_UP:
                sw.link("set", index=msg["index"], mtu=bridge.mtu, state="up")
                changes += 1
            changes += _addresses(sw, msg["index"], bridge.addrs)
            self.applied_bridges[name] = bridge
        for name in [
            n for n in sw_links if n and (n.startswith("vlan") or self.names.is_host_switch(n)) and n not in bridges
        ]:
            sw.link("del", index=sw_links[name]["index"])
            self.applied_bridges.pop(name, None)
            changes += 1
        return changes

    def _port(self, sw: IPRoute, sw_links: dict, links: dict, bridge_index: dict[str, int], port: Port) -> int:
        changes = 0
        if port.sw_name in sw_links and port.name not in links:
            sw.link("del", index=sw_links.pop(port.sw_name)["index"])  # half a pair: start again
        if port.sw_name not in sw_links:
            if port.name in links:
                self.ipr(port.ns).link("del", index=links.pop(port.name)["index"])
            sw.link(
                "add",
                ifname=port.sw_name,
                kind="veth",
                mtu=_wire_mtu(port),
                peer={"ifname": port.name, "net_ns_fd": port.ns, "mtu": port.mtu, "address": port.mac},
            )
            for ns in (port.ns, self.names.switch_ns):  # new devices: their ingress filters again
                self.applied_nft.pop(ns, None)
            sw_links[port.sw_name] = sw.get_links(sw.link_lookup(ifname=port.sw_name)[0])[0]
            links[port.name] = self.ipr(port.ns).get_links(self.ipr(port.ns).link_lookup(ifname=port.name)[0])[0]
            offloads_off(self.ioctl_socket(port.ns), port.name)
            if port.quiet_arp:
                self._sysctl(port.ns, f"ipv4/neigh/{port.name}/base_reachable_time_ms", QUIET_NEIGH_MS)
                self._sysctl(port.ns, f"ipv4/neigh/{port.name}/delay_first_probe_time", QUIET_NEIGH_MS // 1000)
            changes += 1
        mine = sw_links[port.sw_name]
        master = bridge_index.get(port.bridge, 0) if port.bridge else 0
        if (
            (mine.get("master") or 0) != master
            or mine.get("mtu") != _wire_mtu(port)
            or bool(mine["flags"] & IFF_UP) != port.sw_up
        ):
            # Detach before going down and come up after attaching, so no frame slips through.
            sw.link(
                "set", index=mine["index"], mtu=_wire_mtu(port), master=master, state="up" if port.sw_up else "down"
            )
            changes += 1
        theirs = links[port.name]
        ipr = self.ipr(port.ns)
        if (
            theirs.get("mtu") != port.mtu
            or bool(theirs["flags"] & IFF_UP) != port.up
            or (theirs.get("address") != port.mac)
        ):
            ipr.link("set", index=theirs["index"], mtu=port.mtu, address=port.mac, state="up" if port.up else "down")
            changes += 1
        if port.peer_bridge is not None:
            master = bridge_index.get(port.peer_bridge, 0)
            if (theirs.get("master") or 0) != master:
                ipr.link("set", index=theirs["index"], master=master)
                changes += 1
        changes += _addresses(ipr, theirs["index"], port.addrs)
        return changes

    def _strict_mtu(self, want: Desired) -> int:
        """Drop frames above an interface's MTU on ingress, as a NIC does (veth lets 4 bytes more through).

        Every switch port drops what is above the switch's MTU as it arrives (a giant, counted and
        dropped): the sender sees loss, as on a real wire, not the ENOBUFS a smaller veth peer gives.
        """
        per_ns: dict[str, dict[str, int]] = {}
        for port in want.ports.values():
            if port.strict_mtu:
                per_ns.setdefault(port.ns, {})[port.name] = port.mtu
            per_ns.setdefault(self.names.switch_ns, {})[port.sw_name] = port.sw_mtu
        changes = 0
        for ns, mtus in per_ns.items():
            if self.applied_nft.get(ns) == mtus:
                continue
            rules = "".join(
                f'  chain in_{i} {{\n    type filter hook ingress device "{name}" priority 0;\n'
                f"    meta length > {mtu} drop\n  }}\n"
                for i, (name, mtu) in enumerate(sorted(mtus.items()))
            )
            script = f"table netdev simlab\ndelete table netdev simlab\ntable netdev simlab {{\n{rules}}}\n"
            try:
                result = subprocess.run(
                    ["ip", "netns", "exec", ns, "nft", "-f", "-"],
                    input=script,
                    text=True,
                    capture_output=True,
                    timeout=10,
                )
            except FileNotFoundError:
                log.warning("nft not found: frames up to MTU+4 reach %s (install nftables)", ns)
                return changes
            if result.returncode != 0:
                log.warning("nft in %s failed: %s", ns, result.stderr.strip())
                continue
            self.applied_nft[ns] = mtus
            changes += 1
        return changes


def _wire_mtu(port: Port) -> int:
    """The switch end's device MTU: never below the server end's, so a frame is sent and then judged
    by the switch port (``sw_mtu``, enforced on ingress) instead of refused by the veth with ENOBUFS."""
    return max(port.mtu, port.sw_mtu)


def _addresses(ipr: IPRoute, index: int, want: frozenset[str]) -> int:
    have = {f"{m.get('address')}/{m['prefixlen']}" for m in ipr.get_addr(family=socket.AF_INET, index=index)}
    for addr in have - want:
        ip, prefix = addr.split("/")
        ipr.addr("del", index=index, address=ip, prefixlen=int(prefix))
    for addr in want - have:
        ip, prefix = addr.split("/")
        ipr.addr("add", index=index, address=ip, prefixlen=int(prefix))
    return len(have ^ want)
