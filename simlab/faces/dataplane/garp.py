"""A gratuitous ARP, sent as a real frame from a VM's namespace (what a guest's netfront does on resume)."""

from __future__ import annotations

import socket
import struct

from xenlab import netns

ETH_P_ARP = 0x0806
BROADCAST = b"\xff" * 6


def _mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def frame(mac: str, address: str) -> bytes:
    """An ARP request for our own address, broadcast: switches learn the MAC, neighbours refresh their caches."""
    src, ip = _mac(mac), socket.inet_aton(address)
    ether = BROADCAST + src + struct.pack("!H", ETH_P_ARP)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + src + ip + b"\x00" * 6 + ip
    return ether + arp


def send(ns: str, ifname: str, mac: str, address: str) -> None:
    with netns.inside(ns):
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    with sock:
        sock.bind((ifname, 0))
        sock.send(frame(mac, address))
