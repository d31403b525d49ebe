"""Segmentation offloads off on the twin's interfaces, so every frame on the wire fits the sender's MTU.

A veth hands TCP to its peer as one 64 KB GSO super-frame; a NIC would put MTU-sized frames on
the wire. The strict-MTU ingress filter (``apply._strict_mtu``) drops anything above the MTU, so
without this, TCP (the XenMotion memory copy, iSCSI) through a strict interface stalls.
"""

from __future__ import annotations

import ctypes
import fcntl
import socket
import struct

SIOCETHTOOL = 0x8946
ETHTOOL_STSO = 0x1F
ETHTOOL_SGSO = 0x24


def offloads_off(sock: socket.socket, ifname: str) -> None:
    """TSO and GSO off on ``ifname``, in the namespace ``sock`` was opened in."""
    for cmd in (ETHTOOL_STSO, ETHTOOL_SGSO):
        value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
        ifreq = struct.pack("16sP", ifname.encode()[:15], ctypes.addressof(value)).ljust(40, b"\x00")
        fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)
