"""The HA statefile: its layout, and how a host reaches it over the storage network.

The statefile is a region of the heartbeat SR's LUN. Block 0 holds the pool's state and the master
lock; block ``1 + n`` holds host ``n``'s storage heartbeat. Each block is one JSON object padded to
``BLOCK`` bytes, written whole, as xhad writes sectors.

A host reaches the region through a ``BlockDevice``: ``UdpBlockDevice`` sends each read and write as a
real packet from the host's namespace to a ``BlockServer`` on the storage server's storage address, so
whatever cuts the storage path (a cable, the VLAN off a trunk, the storage server down) cuts the
storage heartbeat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Protocol

from xenlab import netns

log = logging.getLogger("simlab.ha")
BLOCK = 4096
PORT = 10694  # the block service on the storage server (xhad's network heartbeats use 694)
MAGIC = b"XLSF"


class BlockDevice(Protocol):
    def read(self, offset: int, length: int) -> bytes:
        """Raise OSError when the storage cannot be reached."""

    def write(self, offset: int, data: bytes) -> None:
        """Raise OSError when the storage cannot be reached."""

    def close(self) -> None: ...


@dataclass
class PoolBlock:
    generation: str
    state: str  # active | invalid (HA disabled)
    master: str  # host UUID holding the master lock, or ""


def encode(obj: dict) -> bytes:
    data = json.dumps(obj, sort_keys=True).encode()
    if len(data) > BLOCK:
        raise ValueError("statefile block overflow")
    return data.ljust(BLOCK, b"\0")


def decode(block: bytes) -> dict | None:
    text = block.rstrip(b"\0")
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# -- the interim transport: a block service on the storage server, reached by UDP ------------------
class BlockServer:
    """Serves a byte region (the statefile) from inside the storage server's namespace."""

    def __init__(self, ns: str | None, address: str, size: int) -> None:
        self.region = bytearray(size)
        self._lock = threading.Lock()
        if ns:
            with netns.inside(ns):
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, PORT))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="simlab-ha-statefile", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) < 13 or data[:4] != MAGIC:
                continue
            op, offset, length = data[4:5], *struct.unpack("!II", data[5:13])
            with self._lock:
                if offset + length > len(self.region):
                    reply = b"E"
                elif op == b"R":
                    reply = b"K" + bytes(self.region[offset : offset + length])
                elif op == b"W":
                    payload = data[13 : 13 + length]
                    self.region[offset : offset + len(payload)] = payload
                    reply = b"K"
                else:
                    reply = b"E"
            with contextlib.suppress(OSError):
                self.sock.sendto(data[:13] + reply, peer)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(timeout=2)


class UdpBlockDevice:
    """A host's path to the statefile: requests from its storage address to the block service."""

    def __init__(self, ns: str | None, source: str, server: str, timeout: float) -> None:
        if ns:
            with netns.inside(ns):
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.server = (server, PORT)

    def _request(self, op: bytes, offset: int, length: int, payload: bytes = b"") -> bytes:
        header = MAGIC + op + struct.pack("!II", offset, length)
        self.sock.sendto(header + payload, self.server)
        while True:
            data = self.sock.recv(65535)  # TimeoutError (an OSError) when the storage path is cut
            if data[:13] == header:
                if data[13:14] != b"K":
                    raise OSError(f"statefile {op.decode()} at {offset} refused")
                return data[14:]

    def read(self, offset: int, length: int) -> bytes:
        return self._request(b"R", offset, length)

    def write(self, offset: int, data: bytes) -> None:
        self._request(b"W", offset, len(data), data)

    def close(self) -> None:
        self.sock.close()
