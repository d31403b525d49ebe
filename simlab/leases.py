"""Sessions that share a twin: a lease per session, a start lock per inventory, and the last one out stops it.

Beside each twin's state directory (``<base>/<lab>-<digest>/``) live two things that outlast it:

- ``<lab>-<digest>.lock``: the start lock. Taking a lease, finding or starting the twin, and deciding
  to stop it all happen under it, so a session never takes a lease on a twin that is about to stop,
  and two sessions never both start one.
- ``<lab>-<digest>.leases/``: one file per session using the twin, held with an exclusive ``flock``
  for the session's lifetime. A lease whose lock can be taken belongs to a process that is gone
  (``kill -9`` included) and is removed by whoever finds it.

A twin a session started (``simlab up --leased``) stops when no live lease is left: the session that
releases the last lease stops it, and the twin itself checks twice a second, so a killed session's
twin stops anyway. A twin the user started (``simlab up``) is theirs: sessions lease it, never stop it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simlab.runtime import RunningTwin
    from xenlab.inventory.schema import Inventory

STOP_WAIT_S = 60.0


def lock_path(state_dir: Path) -> Path:
    return state_dir.parent / f"{state_dir.name}.lock"


def lease_dir(state_dir: Path) -> Path:
    return state_dir.parent / f"{state_dir.name}.leases"


def _open_lock(state_dir: Path) -> int:
    state_dir.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return os.open(lock_path(state_dir), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextlib.contextmanager
def start_lock(state_dir: Path) -> Iterator[None]:
    fd = _open_lock(state_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def try_start_lock(state_dir: Path) -> Iterator[bool]:
    """The start lock if it is free right now (the twin's own watcher must never wait on a session)."""
    fd = _open_lock(state_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def live_leases(state_dir: Path) -> list[str]:
    """What each live lease says about its holder; stale leases are removed on the way."""
    live = []
    folder = lease_dir(state_dir)
    for path in sorted(folder.glob("*.lease")) if folder.is_dir() else []:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                live.append(os.pread(fd, 512, 0).decode(errors="replace").strip())
                continue
            path.unlink(missing_ok=True)  # its holder is gone
        finally:
            os.close(fd)
    return live


class Lease:
    """One session's hold on a twin; take it under the start lock."""

    def __init__(self, state_dir: Path, who: str) -> None:
        folder = lease_dir(state_dir)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.state_dir = state_dir
        self.path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.lease"
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        os.write(self._fd, f"{who} (pid {os.getpid()})".encode())

    @property
    def held(self) -> bool:
        return self._fd is not None

    def drop(self) -> None:
        """Give the lease up (under the start lock when the twin may then be stopped)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
        with contextlib.suppress(OSError):  # the last lease takes its folder with it
            self.path.parent.rmdir()


def wait_gone(pid: int, timeout: float = STOP_WAIT_S) -> bool:
    from simlab.runtime import alive

    deadline = time.monotonic() + timeout
    while alive(pid) and pid != os.getpid():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _stopping_pid(state_dir: Path) -> int | None:
    """The pid of a twin that is still alive but not serving (stopping, or hung), if any."""
    from simlab.runtime import alive, read_state

    pid = int(read_state(state_dir).get("pid") or 0)
    return pid if pid and pid != os.getpid() and alive(pid) else None


def take_lease(inventory: Inventory, who: str) -> tuple[Lease, list[str]]:
    """A lease on the inventory's twin, whether or not one is up yet (it keeps the next one up too).

    When no twin is up, what an earlier one left is removed first; returns one line per thing removed.
    """
    from simlab.runtime import clean_leftovers, find_running, state_dir_for

    state_dir = state_dir_for(inventory)
    deadline = time.monotonic() + STOP_WAIT_S
    while True:
        with start_lock(state_dir):
            if find_running(inventory) is not None:
                return Lease(state_dir, who), []
            pid = _stopping_pid(state_dir)
            if pid is None or time.monotonic() > deadline:  # none, or one that will not stop: clean it up
                removed = clean_leftovers(inventory)
                return Lease(state_dir, who), removed
        wait_gone(pid, 1.0)  # a twin on its way down: lease the next one instead


def ensure_twin(inventory: Inventory) -> tuple[RunningTwin, list[str]]:
    """The running twin for this inventory, started for sessions if none is up.

    Also returns what an earlier twin left behind and was removed first, one line each.
    """
    from simlab.runtime import clean_leftovers, find_running, start_detached, state_dir_for

    state_dir = state_dir_for(inventory)
    deadline = time.monotonic() + STOP_WAIT_S
    while True:
        with start_lock(state_dir):
            twin = find_running(inventory)
            if twin is not None:
                return twin, []
            pid = _stopping_pid(state_dir)
            if pid is None or time.monotonic() > deadline:  # none, or one that will not stop: clean it up
                swept = clean_leftovers(inventory)
                return start_detached(inventory, leased=True), swept
        wait_gone(pid, 1.0)


def release(inventory: Inventory, lease: Lease) -> None:
    """Give up a session's lease; the last one out stops a twin sessions started, and waits for it."""
    from simlab.runtime import TwinError, find_running

    with start_lock(lease.state_dir):
        lease.drop()
        if live_leases(lease.state_dir):
            return
        twin = find_running(inventory)
        if twin is None or not twin.leased:
            return
        with contextlib.suppress(TwinError):
            twin.request("down", timeout=5)  # not ready from here on: nobody leases it now
    wait_gone(twin.pid)


def watch_leases(state_dir: Path, stop: Callable[[], None], stopped: threading.Event) -> threading.Thread:
    """In a leased twin: call ``stop`` once no live lease is left (its sessions ended, or were killed)."""

    def run() -> None:
        while not stopped.wait(0.5):
            with try_start_lock(state_dir) as locked:
                if locked and not live_leases(state_dir):
                    stop()
                    return

    thread = threading.Thread(target=run, name="simlab-leases", daemon=True)
    thread.start()
    return thread
