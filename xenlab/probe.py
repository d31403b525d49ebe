"""The packet probe: exact-size ICMP echoes with DF set, from the runner's probe interfaces.

Sends at layer 2 through a PF_PACKET socket opened inside the probe's namespace (if the
inventory names one), with its own ARP, so nothing on the way can fragment a probe:
an echo of N bytes leaves as one N-byte IP packet or not at all. ``conf.auto_fragment``
is turned off anyway, so no scapy code path splits an oversized DF packet.
"""

from __future__ import annotations

import errno
import os
import random
import select
import time
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from xenlab import netns
from xenlab.inventory.schema import Inventory

IP_HEADER = 20
ICMP_HEADER = 8
MIN_PROBE = IP_HEADER + ICMP_HEADER
ECHO_TIMEOUT_S = 1.0
ARP_TIMEOUT_S = 1.0


class ProbeError(RuntimeError):
    """The probe cannot run (no raw sockets, no namespace, no interface on that network)."""


@dataclass(frozen=True)
class Echo:
    dst: str
    size: int  # IP total length sent
    reply: bool
    detail: str  # "reply from X in 0.2 ms", "no reply within 1.0 s", "no ARP reply from X", ...


@dataclass
class _Port:
    network: str
    interface: str
    address: str
    subnet: IPv4Network | None
    mac: str = ""
    mtu: int = 0
    sock: object = None


def unavailable_reason(inventory: Inventory) -> str | None:
    """Why packet checks cannot run here, or None."""
    if not inventory.probe.interfaces:
        return "the inventory names no probe interfaces (probe.interfaces)"
    if os.geteuid() != 0:
        return "packet checks need root (raw sockets); run as root or give python CAP_NET_RAW"
    if inventory.probe.netns and not netns.exists(inventory.probe.netns):
        return f"probe namespace {inventory.probe.netns} does not exist (is the lab's data plane up?)"
    return None


class Probe:
    def __init__(self, inventory: Inventory) -> None:
        reason = unavailable_reason(inventory)
        if reason:
            raise ProbeError(reason)
        import scapy.arch  # noqa: F401  (sets conf.L2socket)
        import scapy.layers.inet  # noqa: F401  (registers Ether for received frames)
        from scapy.config import conf

        conf.auto_fragment = False  # an oversized DF probe must fail, never be split
        conf.verb = 0
        self.netns = inventory.probe.netns
        subnets = {n.name: n.subnet for n in inventory.networks}
        self.ports = [_Port(p.network, p.interface, str(p.address), subnets.get(p.network))
                      for p in inventory.probe.interfaces]
        self._arp: dict[str, str] = {}
        self._open()

    def _open(self) -> None:
        from scapy.config import conf

        def open_all() -> None:
            for port in self.ports:
                port.mac, port.mtu = _link_info(port.interface)
                port.sock = conf.L2socket(iface=port.interface)

        try:
            if self.netns:
                with netns.inside(self.netns):
                    open_all()
            else:
                open_all()
        except OSError as exc:
            self.close()
            raise ProbeError(f"cannot open the probe interfaces: {exc}") from None

    def close(self) -> None:
        for port in self.ports:
            if port.sock is not None:
                port.sock.close()
                port.sock = None

    def __enter__(self) -> Probe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- probing ------------------------------------------------------------------------------
    def port_for(self, dst: str) -> _Port:
        address = IPv4Address(dst)
        for port in self.ports:
            if port.subnet is not None and address in port.subnet:
                return port
        networks = ", ".join(f"{p.network} ({p.subnet})" for p in self.ports)
        raise ProbeError(f"no probe interface on a network holding {dst} (probe networks: {networks})")

    def echo(self, dst: str, size: int, timeout: float = ECHO_TIMEOUT_S) -> Echo:
        """One ICMP echo of exactly ``size`` bytes of IP, DF set; the reply must be whole and unfragmented."""
        from scapy.layers.inet import ICMP, IP
        from scapy.layers.l2 import Ether
        from scapy.packet import Raw

        if size < MIN_PROBE:
            raise ProbeError(f"an echo is at least {MIN_PROBE} bytes, not {size}")
        port = self.port_for(dst)
        mac = self._resolve(port, dst, timeout)
        if mac is None:
            return Echo(dst, size, False, f"no ARP reply from {dst} on {port.interface}")
        ident, seq = random.randrange(1, 0xFFFF), random.randrange(1, 0xFFFF)
        packet = (Ether(src=port.mac, dst=mac) / IP(src=port.address, dst=dst, flags="DF", id=ident)
                  / ICMP(type=8, id=ident, seq=seq) / Raw(b"\x00" * (size - MIN_PROBE)))
        sent = time.monotonic()
        try:
            port.sock.send(packet)
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                return Echo(dst, size, False, f"{port.interface} (MTU {port.mtu}) cannot send {size} bytes")
            if exc.errno == errno.ENOBUFS:  # a veth peer refused the frame: the far end's MTU is smaller
                return Echo(dst, size, False, f"dropped on the wire from {port.interface}")
            raise

        def matches(frame: object) -> bool:
            ip = frame.getlayer(IP)
            icmp = frame.getlayer(ICMP)
            return (ip is not None and icmp is not None and ip.src == dst and icmp.type == 0
                    and icmp.id == ident and icmp.seq == seq)

        reply = self._receive(port, matches, timeout)
        if reply is None:
            return Echo(dst, size, False, f"no reply within {timeout:g} s")
        ip = reply.getlayer(IP)
        if ip.flags.MF or ip.frag or ip.len != size:
            return Echo(dst, size, False, f"reply from {dst} came back fragmented ({ip.len} bytes, MF={ip.flags.MF})")
        return Echo(dst, size, True, f"reply from {dst} in {(time.monotonic() - sent) * 1000:.1f} ms")

    def path_mtu(self, dst: str, hint: int | None = None, timeout: float = 0.5) -> int | None:
        """The largest echo that gets a reply, by bisection; None if even the smallest gets none."""
        port = self.port_for(dst)
        low, high = MIN_PROBE, port.mtu
        if hint is not None and MIN_PROBE <= hint < high:
            # Usually the path is as expected: confirm with two echoes instead of a dozen.
            if self.echo(dst, hint, timeout).reply:
                if not self.echo(dst, hint + 1, timeout).reply:
                    return hint
                low = hint + 1
            else:
                high = hint - 1
        if not self.echo(dst, low, timeout).reply:
            return None
        while low < high:
            mid = (low + high + 1) // 2
            if self.echo(dst, mid, timeout).reply:
                low = mid
            else:
                high = mid - 1
        return low

    def _resolve(self, port: _Port, dst: str, timeout: float) -> str | None:
        from scapy.layers.l2 import ARP, Ether

        if dst in self._arp:
            return self._arp[dst]
        request = Ether(src=port.mac, dst="ff:ff:ff:ff:ff:ff") / ARP(
            op=1, hwsrc=port.mac, psrc=port.address, pdst=dst)
        port.sock.send(request)

        def matches(frame: object) -> bool:
            arp = frame.getlayer(ARP)
            return arp is not None and arp.op == 2 and arp.psrc == dst

        reply = self._receive(port, matches, timeout)
        if reply is None:
            return None
        self._arp[dst] = reply.getlayer(ARP).hwsrc
        return self._arp[dst]

    @staticmethod
    def _receive(port: _Port, matches, timeout: float):  # -> Packet | None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([port.sock], [], [], left)
            if not ready:
                return None
            frame = port.sock.recv()
            if frame is not None and matches(frame):
                return frame
        return None


def _link_info(ifname: str) -> tuple[str, int]:
    """MAC and MTU of an interface in the current (thread's) namespace, without /sys (it shows the root's)."""
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("256s", ifname.encode()[:15])
        try:
            hw = fcntl.ioctl(s.fileno(), 0x8927, req)  # SIOCGIFHWADDR
            mtu = fcntl.ioctl(s.fileno(), 0x8921, req)  # SIOCGIFMTU
        except OSError as exc:
            raise OSError(exc.errno, f"interface {ifname}: {exc.strerror}") from None
    mac = ":".join(f"{b:02x}" for b in hw[18:24])
    return mac, struct.unpack("i", mtu[16:20])[0]
