"""The HA statefile: its layout, and how a host reaches it over the storage network.

The statefile is a region of the heartbeat SR's LUN. Block 0 holds the pool's state and the master
lock; block ``1 + n`` holds host ``n``'s storage heartbeat. Each block is one JSON object padded to
``BLOCK`` bytes, written whole, as xhad writes sectors.

A host reaches the region through a ``BlockDevice``: ``IscsiStatefile`` sends each read and write as
SCSI commands over the host's own iSCSI session to the heartbeat SR's LUN (the PBD's session, logged in
from the host's namespace to the real target), so whatever breaks that session (a cable, the storage
VLAN off a trunk, the target stopped, the LUN gone, a CHAP secret that refuses the next login) cuts the
storage heartbeat because the I/O really fails.

Each command runs on one worker thread per host and the daemon waits for it at most ``timeout``
(half a heartbeat interval): a pulled cable shows as ``TimeoutError`` in time for the next heartbeat,
never as a hang, and while that command is still outstanding (libiscsi gives up only after its own
timeout) every further request fails at once, as I/O queued behind a dead path does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

from xenlab import iscsi

log = logging.getLogger("simlab.ha")
BLOCK = 4096
R = TypeVar("R")


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


class RegionDevice(Protocol):
    """A VDI's region of its LUN over one session (``simlab.storage.fabric.VdiDevice``)."""

    def read(self, offset: int, length: int) -> bytes: ...

    def write(self, offset: int, data: bytes) -> None: ...


class IscsiStatefile:
    """One host's path to the statefile: SCSI READ/WRITE over its iSCSI session, each bounded by ``timeout``.

    ``region`` finds the statefile VDI's region over the host's session as it is now (a PBD plugged again
    has a new session); it raises ``IscsiError`` when the host has none.
    """

    def __init__(self, host: str, region: Callable[[], RegionDevice], timeout: float) -> None:
        self.host, self.region, self.timeout = host, region, timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"xhad-io-{host}")
        self._pending: Future | None = None

    def _call(self, what: str, op: Callable[[RegionDevice], R]) -> R:
        if self._pending is not None and not self._pending.done():
            raise OSError(f"{self.host}: statefile {what} not issued: the previous command is still outstanding")
        future = self._pool.submit(lambda: op(self.region()))
        self._pending = future
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.host}: statefile {what} got no answer within {self.timeout:g} s") from None
        except iscsi.IscsiError as exc:
            raise OSError(f"statefile {what}: {exc}") from None
        except ValueError as exc:  # the region is smaller than the statefile (a LUN cut down)
            raise OSError(f"statefile {what}: {exc}") from None

    def read(self, offset: int, length: int) -> bytes:
        return self._call("read", lambda dev: dev.read(offset, length))

    def write(self, offset: int, data: bytes) -> None:
        self._call("write", lambda dev: dev.write(offset, data))

    def close(self) -> None:
        # Not waiting: a command stuck on a dead path ends with libiscsi's own timeout.
        self._pool.shutdown(wait=False, cancel_futures=True)
