"""The running twin: the model, its faces, and an asyncio loop the SSH faces share.

``start`` and ``stop`` are the one path every face goes through (see ``simlab.runtime`` for the
leftovers of a twin that could not stop):

1. claim the lab's name machine-wide (``simlab.claims``): a second twin of the same lab fails here,
   having touched nothing;
2. sweep what an earlier twin of this lab left (each face module's ``sweep(inventory)``);
3. start the faces in order; a face is stopped even when its own start fails half way;
4. publish the files clients read (the CA, known_hosts), each claimed first and written atomically,
   only now that the faces own their addresses: a start that fails never overwrites anything.

``stop`` stops the faces in reverse order, sweeps again, and releases the claims.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from simlab.claims import ClaimError, Claims, file_key, lab_key
from simlab.errors import TwinError
from simlab.faces import FACES, sweep_faces
from simlab.faces.base import Face
from simlab.model.build import build_lab
from simlab.model.lab import Lab
from xenlab.inventory.schema import Inventory

log = logging.getLogger("simlab")
T = TypeVar("T")
Update = Callable[[bytes | None], bytes]  # the file's current content (None if absent) -> new content


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    tmp.replace(path)


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class Twin:
    def __init__(self, inventory: Inventory, state_dir: Path) -> None:
        self.inventory = inventory
        self.state_dir = state_dir
        self.lab: Lab = build_lab(inventory)
        self.faces: list[Face] = []
        self.loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self.loop.run_forever, name="simlab-loop", daemon=True)
        self.claims = Claims(f"pid {os.getpid()}, inventory {inventory.source}")
        self.swept: list[str] = []  # what an earlier twin of this lab left and start removed
        self._pending: dict[Path, list[Update]] | None = None  # files to publish once every face is up
        self._publish_lock = threading.Lock()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the twin's loop from any thread and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def publish(self, path: Path, update: Update) -> None:
        """Write a file clients read: at the end of a start, or now for a face used on its own (tests)."""
        with self._publish_lock:
            if self._pending is not None:
                self._pending.setdefault(path, []).append(update)
                return
            write_atomic(path, update(_current(path)))

    def _publish_pending(self) -> None:
        with self._publish_lock:
            pending, self._pending = self._pending or {}, None
        for path, updates in pending.items():
            self.claims.take(file_key(path), f"{path} (written by the twin for its clients)")
            data = _current(path)
            for update in updates:
                data = update(data)
            write_atomic(path, data or b"")

    def start(self) -> None:
        try:
            self.claims.take(lab_key(self.lab.name), f"lab {self.lab.name!r}")
        except ClaimError as exc:
            raise TwinError(str(exc)) from None
        self._pending = {}
        self._loop_thread.start()
        try:
            self.swept = sweep_faces(self.inventory)
            if self.swept:
                log.warning("removed what an earlier twin of %s left: %s", self.lab.name, ", ".join(self.swept))
            for module_name in FACES:
                try:
                    face = importlib.import_module(module_name).make(self)
                except Exception as exc:  # a face that cannot be built is an error, never left out
                    log.debug("face %s failed to build", module_name, exc_info=True)
                    raise TwinError(f"the {module_name.rsplit('.', 1)[-1]} face could not be built: {exc}") from exc
                if face is not None:  # None: the inventory has nothing for it to serve (the face logs why)
                    self.faces.append(face)  # stopped below even if its start fails half way
                    try:
                        face.start()
                    except Exception as exc:
                        log.debug("face %s failed", face.name, exc_info=True)
                        raise TwinError(f"the {face.name} face did not start: {exc}") from exc
                    log.info("face %s up", face.name)
            try:
                self._publish_pending()
            except ClaimError as exc:
                raise TwinError(str(exc)) from None
            # A real lab is at rest when the suites reach it: HA's first heartbeats included.
            self.settle()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        while self.faces:
            face = self.faces.pop()
            try:
                face.stop()
            except Exception:  # one face failing to stop must not leave the others running
                log.exception("face %s did not stop cleanly", face.name)
        if self.claims.holds(lab_key(self.lab.name)):
            try:
                sweep_faces(self.inventory)
            except Exception:
                log.exception("sweeping %s's leftovers failed", self.lab.name)
        self.claims.release_all()
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._loop_thread.join(timeout=5)

    def settle(self, timeout: float = 10) -> None:
        """Wait until every face that lags the model (the data plane) reflects it."""
        for face in self.faces:
            settle = getattr(face, "settle", None)
            if settle is not None:
                settle(timeout)

    def endpoints(self) -> list[str]:
        return [line for face in self.faces for line in face.endpoints()]
