"""The running twin: the model, its faces, and an asyncio loop the SSH faces share."""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from simlab.errors import TwinError
from simlab.faces import FACES
from simlab.faces.base import Face
from simlab.model.build import build_lab
from simlab.model.lab import Lab
from xenlab.inventory.schema import Inventory

log = logging.getLogger("simlab")
T = TypeVar("T")


class Twin:
    def __init__(self, inventory: Inventory, state_dir: Path) -> None:
        self.inventory = inventory
        self.state_dir = state_dir
        self.lab: Lab = build_lab(inventory)
        self.faces: list[Face] = []
        self.loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self.loop.run_forever, name="simlab-loop", daemon=True)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the twin's loop from any thread and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        self._loop_thread.start()
        try:
            for module_name in FACES:
                try:
                    face = importlib.import_module(module_name).make(self)
                except Exception as exc:  # a face that cannot be built is an error, never left out
                    log.debug("face %s failed to build", module_name, exc_info=True)
                    raise TwinError(f"the {module_name.rsplit('.', 1)[-1]} face could not be built: {exc}") from exc
                if face is not None:  # None: the inventory has nothing for it to serve (the face logs why)
                    try:
                        face.start()
                    except Exception as exc:
                        log.debug("face %s failed", face.name, exc_info=True)
                        raise TwinError(f"the {face.name} face did not start: {exc}") from exc
                    self.faces.append(face)
                    log.info("face %s up", face.name)
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
