"""An exclusive lock on a file that names its holder: flock, taken at once or refused, never waited for.

The kernel drops the lock with the descriptor, so a holder killed with -9 frees it; the file keeps the
last holder's words only for the message of whoever is refused next.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class Held(Exception):
    """Someone else holds the lock; ``holder`` is what they wrote into the file (may be empty)."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def take(path: Path, holder: str, mode: int = 0o644) -> int:
    """The open descriptor holding the lock on ``path`` (close it to release), with ``holder`` written into the
    file; Held when another open file holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        found = os.pread(fd, 512, 0).decode(errors="replace").strip()
        os.close(fd)
        raise Held(found) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, holder.encode(), 0)
    return fd
