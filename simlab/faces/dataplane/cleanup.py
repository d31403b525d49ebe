"""Remove what a twin's data plane created: by name prefix, so a crashed twin's leftovers go too."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pyroute2 import netns

from simlab.model.netnames import Names
from xenlab import lockfile

log = logging.getLogger("simlab.dataplane")
LOCK_DIR = Path("/run/simlab")


def remove_namespaces(names: Names) -> list[str]:
    """Delete every namespace the lab owns; their veths (and the peers) go with them."""
    removed = []
    for ns in sorted(netns.listnetns()):
        if names.owns(ns):
            try:
                netns.remove(ns)
                removed.append(ns)
            except OSError as exc:
                log.warning("cannot remove namespace %s: %s", ns, exc)
    return removed


class LabLock:
    """One data plane per lab on this machine: a second twin of the same lab must not delete the first's."""

    def __init__(self, names: Names) -> None:
        self.path = LOCK_DIR / f"dataplane-{names.prefix.strip('-')}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        LOCK_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = lockfile.take(self.path, f"{os.getpid()}\n")
        except lockfile.Held as held:
            raise RuntimeError(
                f"the data plane of this lab is already up (pid {held.holder or '?'}); stop that twin first"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)
