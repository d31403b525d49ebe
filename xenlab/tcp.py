"""Socket options the clients share."""

from __future__ import annotations

import socket
from typing import Any


def no_delay(transport: Any) -> None:
    """TCP_NODELAY on an SSH connection, as OpenSSH sets it: without it every command waits out Nagle's
    algorithm against the peer's delayed ACK (40 ms a round trip), which is most of a dom0 check's time."""
    sock = getattr(transport, "sock", None)
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
