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
from collections.abc import Callable, Sequence
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
        return f"probe namespace {inventory.probe.netns} (probe.netns) does not exist (is the lab's data plane up?)"
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
        self.ports = [
            _Port(p.network, p.interface, str(p.address), subnets.get(p.network)) for p in inventory.probe.interfaces
        ]
        self._arp: dict[str, str] = {}
        self._open()

    def _open(self) -> None:
        from scapy.config import conf

        def open_all() -> None:
            for port in self.ports:
                port.mac, port.mtu = _link_info(port.interface)
                port.sock = conf.L2socket(iface=port.interface)
                _room_for_replies(port.sock)

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
        return self.echoes([(dst, size)], timeout)[0]

    def echoes(self, requests: Sequence[tuple[str, int]], timeout: float = ECHO_TIMEOUT_S) -> list[Echo]:
        """Every echo sent at once, and one wait for all their replies (``timeout`` in all, not each).

        A check that expects no reply (an oversize echo) costs the full timeout: batching the checks of a
        collection makes that one timeout for all of them, whatever the size of the lab.
        """
        from scapy.layers.inet import ICMP, IP
        from scapy.layers.l2 import Ether
        from scapy.packet import Raw

        for _, size in requests:
            if size < MIN_PROBE:
                raise ProbeError(f"an echo is at least {MIN_PROBE} bytes, not {size}")
        deadline = time.monotonic() + timeout
        macs = self._resolve_all({dst for dst, _ in requests}, deadline)
        results: list[Echo | None] = [None] * len(requests)
        pending: dict[tuple[str, int, int], tuple[int, float]] = {}  # (src, id, seq) -> (request index, sent)

        def take(frame: object) -> None:
            ip, icmp = frame.getlayer(IP), frame.getlayer(ICMP)
            if ip is None or icmp is None or icmp.type != 0:
                return
            hit = pending.pop((ip.src, icmp.id, icmp.seq), None)
            if hit is None:
                return
            index, sent = hit
            dst, size = requests[index]
            if ip.flags.MF or ip.frag or ip.len != size:
                results[index] = Echo(
                    dst, size, False, f"reply from {dst} came back fragmented ({ip.len} bytes, MF={ip.flags.MF})"
                )
            else:
                results[index] = Echo(dst, size, True, f"reply from {dst} in {(time.monotonic() - sent) * 1000:.1f} ms")

        for index, (dst, size) in enumerate(requests):
            port = self.port_for(dst)
            if macs.get(dst) is None:
                results[index] = Echo(dst, size, False, f"no ARP reply from {dst} on {port.interface}")
                continue
            ident, seq = random.randrange(1, 0xFFFF), random.randrange(1, 0xFFFF)
            packet = (
                Ether(src=port.mac, dst=macs[dst])
                / IP(src=port.address, dst=dst, flags="DF", id=ident)
                / ICMP(type=8, id=ident, seq=seq)
                / Raw(b"\x00" * (size - MIN_PROBE))
            )
            try:
                port.sock.send(packet)
            except OSError as exc:
                if exc.errno == errno.EMSGSIZE:
                    results[index] = Echo(
                        dst, size, False, f"{port.interface} (MTU {port.mtu}) cannot send {size} bytes"
                    )
                    continue
                if exc.errno == errno.ENOBUFS:  # a veth peer refused the frame: the far end's MTU is smaller
                    results[index] = Echo(dst, size, False, f"dropped on the wire from {port.interface}")
                    continue
                raise
            pending[(dst, ident, seq)] = (index, time.monotonic())
            self._receive_until(lambda: True, take, 0)  # drain as we go: a burst of replies never piles up

        self._receive_until(lambda: not pending, take, deadline)
        for index, _ in pending.values():
            dst, size = requests[index]
            results[index] = Echo(dst, size, False, f"no reply within {timeout:g} s")
        return results  # type: ignore[return-value]  (every slot is filled)

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

    def _resolve_all(self, destinations: set[str], deadline: float) -> dict[str, str | None]:
        """MAC addresses by ARP, all requests at once; None for a destination that did not answer."""
        from scapy.layers.l2 import ARP, Ether

        wanted = {dst for dst in destinations if dst not in self._arp}
        for dst in sorted(wanted):
            port = self.port_for(dst)
            port.sock.send(
                Ether(src=port.mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=port.mac, psrc=port.address, pdst=dst)
            )

        def take(frame: object) -> None:
            arp = frame.getlayer(ARP)
            if arp is not None and arp.op == 2 and arp.psrc in wanted:
                self._arp[arp.psrc] = arp.hwsrc
                wanted.discard(arp.psrc)

        self._receive_until(lambda: not wanted, take, deadline)
        return {dst: self._arp.get(dst) for dst in destinations}

    def _receive_until(self, done: Callable[[], bool], take: Callable[[object], None], deadline: float) -> None:
        """Hand every frame received on any port to ``take`` until ``done()`` or the deadline; a deadline of 0
        takes what is already there and returns."""
        sockets = [port.sock for port in self.ports]
        while not (deadline and done()):
            left = max(0.0, deadline - time.monotonic()) if deadline else 0.0
            ready, _, _ = select.select(sockets, [], [], left)
            for sock in ready:
                frame = sock.recv()
                if frame is not None:
                    take(frame)
            if not ready:
                return


def _room_for_replies(sock: object, size: int = 8 << 20) -> None:
    """A receive buffer that holds a whole batch of jumbo replies (the default holds about a dozen)."""
    import socket

    inner = getattr(sock, "ins", None)
    if inner is None:
        return
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):  # FORCE: root may pass rmem_max
        if option is None:
            continue
        try:
            inner.setsockopt(socket.SOL_SOCKET, option, size)
            return
        except OSError:
            continue


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
