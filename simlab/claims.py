"""Machine-wide claims: what a running twin owns that another twin must never touch.

A claim is an exclusive ``flock`` on a small file under ``CLAIM_DIR``, held by the twin's process for
its lifetime, with the holder's pid and inventory written in it. The kernel drops the lock when the
process ends, however it ends (``kill -9`` included), so a claim is never stale: if it can be
taken, nobody alive holds it, and whatever its previous holder left behind may be removed.

A twin claims its lab name before anything else (every namespace, socket number or BMC a face
names is derived from the lab name), and each file it publishes for clients (the CA, the SSH
known_hosts file) before writing it. So a second twin for a copy of a running twin's inventory
fails with one line naming the running one, before it has changed anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from xenlab import lockfile

CLAIM_DIR = Path(tempfile.gettempdir()) / "simlab-claims"


class ClaimError(RuntimeError):
    """Another live process holds the claim; str() is one line naming it."""


def _claim_file(key: str) -> Path:
    readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:48]
    return CLAIM_DIR / f"{readable}-{hashlib.sha1(key.encode()).hexdigest()[:10]}.lock"


def _open_dir() -> None:
    CLAIM_DIR.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # shared by every user of the machine, like /tmp
        CLAIM_DIR.chmod(0o1777)


def _open(path: Path) -> int:
    _open_dir()
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


def holder(key: str) -> str | None:
    """Who holds the claim (``pid N, inventory X``), or None when nobody alive does."""
    path = _claim_file(key)
    if not path.exists():
        return None
    fd = _open(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 512, 0).decode(errors="replace").strip() or "another process"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class Claims:
    """The claims one twin holds; released together when it stops (or by the kernel when it dies)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner  # "pid N, inventory X": what another twin's error will name
        self._held: dict[str, int] = {}

    def take(self, key: str, what: str) -> None:
        """Claim ``key`` or raise ClaimError: ``<what> is in use by the twin of ... (pid N)``."""
        if key in self._held:
            return
        _open_dir()
        try:
            fd = lockfile.take(_claim_file(key), self.owner)
        except lockfile.Held as held:
            owner = held.holder or "another process"
            raise ClaimError(f"{what} is in use by a running twin ({owner}); stop that twin first") from None
        self._held[key] = fd

    def holds(self, key: str) -> bool:
        return key in self._held

    def release_all(self) -> None:
        while self._held:
            _key, fd = self._held.popitem()
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.close(fd)


def lab_key(lab_name: str) -> str:
    return f"lab-{lab_name}"


def file_key(path: Path) -> str:
    return f"file-{path.resolve()}"
