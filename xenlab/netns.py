"""Enter a named network namespace (``ip netns add`` style) in the calling thread only.

setns(2) changes the namespace of the calling thread, not the process: sockets
opened while inside stay bound to that namespace after leaving, so a thread can
open sockets in several namespaces and use them from anywhere.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

NETNS_DIR = "/var/run/netns"
CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def netns_path(name: str) -> str:
    return os.path.join(NETNS_DIR, name)


def exists(name: str) -> bool:
    return os.path.exists(netns_path(name))


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


@contextmanager
def inside(name: str) -> Iterator[None]:
    """Run the block in network namespace ``name``; raise FileNotFoundError if it does not exist."""
    with open("/proc/thread-self/ns/net", "rb") as home, open(netns_path(name), "rb") as target:
        _setns(target.fileno())
        try:
            yield
        finally:
            _setns(home.fileno())
