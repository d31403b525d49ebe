"""The pre-copy of a live migration, for real: the VM's memory streamed over TCP on the XenMotion network.

The destination host listens on its XenMotion address inside its namespace, the source connects
from its own and sends ``nbytes``; the copy takes what that path takes and fails as it would on a
lab (no route when the VLAN is missing from a trunk, a stall when a link dies mid-copy).
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Callable

from simlab.model.lab import Lab
from simlab.model.migration import MigrationError
from simlab.model.netnames import Names
from xenlab import netns

CONNECT_TIMEOUT_S = 5.0
STALL_TIMEOUT_S = 5.0
CHUNK = 1 << 20
PROGRESS_EVERY = 64 * CHUNK


def _reason(exc: OSError) -> str:
    if isinstance(exc, TimeoutError):
        return "Connection timed out"
    return os.strerror(exc.errno) if exc.errno else str(exc)


class Copier:
    """``lab.memory_copier`` while the data plane is up."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def __call__(
        self, lab: Lab, src: str, dst: str, network: str, nbytes: int, progress: Callable[[float], None]
    ) -> None:
        with lab.lock:
            src_addr = lab.hosts[src].net_addresses.get(network)
            dst_addr = lab.hosts[dst].net_addresses.get(network)
        if not src_addr or not dst_addr:
            missing = src if not src_addr else dst
            raise MigrationError(f"{missing} has no address on the {network} network")
        with netns.inside(self.names.host_ns(dst)):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind((dst_addr, 0))
            listener.listen(1)
        with netns.inside(self.names.host_ns(src)):
            sender = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sender.bind((src_addr, 0))
        received = [0]
        receiver = threading.Thread(
            target=self._receive, args=(listener, received), daemon=True, name=f"xenmotion-rx-{dst}"
        )
        receiver.start()
        try:
            with sender:
                sender.settimeout(CONNECT_TIMEOUT_S)
                try:
                    sender.connect((dst_addr, listener.getsockname()[1]))
                except OSError as exc:
                    raise MigrationError(
                        f"Failed to connect to {dst} ({dst_addr}) on the {network} network: {_reason(exc)}"
                    ) from None
                sender.settimeout(STALL_TIMEOUT_S)
                self._send(sender, nbytes, progress, dst, network)
                sender.shutdown(socket.SHUT_WR)
            receiver.join(STALL_TIMEOUT_S)
        finally:
            listener.close()
        if received[0] != nbytes:
            raise MigrationError(f"memory copy to {dst} incomplete: {received[0]} of {nbytes} bytes arrived")

    @staticmethod
    def _send(sock: socket.socket, nbytes: int, progress: Callable[[float], None], dst: str, network: str) -> None:
        chunk = memoryview(bytes(CHUNK))
        sent = 0
        try:
            while sent < nbytes:
                n = sock.send(chunk[: min(CHUNK, nbytes - sent)])
                sent += n
                if sent % PROGRESS_EVERY < n:
                    progress(sent / nbytes)
        except OSError as exc:
            if exc.errno in (errno.EPIPE, errno.ECONNRESET) or isinstance(exc, TimeoutError):
                raise MigrationError(
                    f"memory copy to {dst} over the {network} network stalled after {sent} bytes: {_reason(exc)}"
                ) from None
            raise
        progress(1.0)

    @staticmethod
    def _receive(listener: socket.socket, received: list[int]) -> None:
        listener.settimeout(CONNECT_TIMEOUT_S + 1)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        buf = bytearray(CHUNK)
        with conn:
            conn.settimeout(STALL_TIMEOUT_S)
            try:
                while n := conn.recv_into(buf):
                    received[0] += n
            except OSError:
                return
