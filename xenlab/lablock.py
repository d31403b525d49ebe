"""The lab lock: two destructive runs against one lab never overlap, whoever starts them.

One lock file per lab name, taken by every destructive suite (HA failover, XenMotion) through the one
session fixture ``lab_lock`` (fixtures/lablock.py): flock is per open file, so a second lock on the same
file in the same session would refuse its own run.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from pathlib import Path


class LabBusy(RuntimeError):
    """Another destructive run holds the lab."""


class LabLock:
    def __init__(self, lab_name: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", lab_name)
        self.path = Path(os.environ.get("XENLAB_LOCK_DIR") or tempfile.gettempdir()) / f"xenlab-destructive-{safe}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another run"
            os.close(fd)
            raise LabBusy(f"a destructive run already holds this lab ({holder}, lock {self.path})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the kernel drops the flock with the descriptor, also on kill -9
            self._fd = None
