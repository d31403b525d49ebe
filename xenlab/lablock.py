"""The lab lock: two destructive runs against one lab never overlap, whoever starts them.

One lock file per lab name, taken by every destructive suite (HA failover, XenMotion) through the one
session fixture ``lab_lock`` (fixtures/lablock.py): flock is per open file, so a second lock on the same
file in the same session would refuse its own run.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from xenlab import lockfile


class LabBusy(RuntimeError):
    """Another destructive run holds the lab."""


class LabLock:
    def __init__(self, lab_name: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", lab_name)
        self.path = Path(os.environ.get("XENLAB_LOCK_DIR") or tempfile.gettempdir()) / f"xenlab-destructive-{safe}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            self._fd = lockfile.take(self.path, f"pid {os.getpid()}\n", 0o666)
        except lockfile.Held as held:
            raise LabBusy(
                f"a destructive run already holds this lab ({held.holder or 'another run'}, lock {self.path})"
            ) from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the kernel drops the flock with the descriptor, also on kill -9
            self._fd = None
