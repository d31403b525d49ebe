"""Long-running operations as xapi tracks them: a task per asynchronous call, in the model.

``Async.VM.pool_migrate`` and friends return a task ref at once; the work runs in a thread
of its own and moves the task from ``pending`` to ``success`` (with its ``result``) or
``failure`` (with the XenAPI ``error_info``), updating ``progress`` on the way.
"""

from __future__ import annotations

import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simlab.model.lab import Lab

KEEP_FINISHED = 256  # finished tasks xapi keeps until a client destroys them (older ones are garbage collected)


@dataclass
class Task:
    uuid: str
    name: str  # the call, as xapi names it: "Async.VM.pool_migrate"
    host: str | None  # the host that runs it
    created: float
    status: str = "pending"  # pending | success | failure | cancelling | cancelled
    progress: float = 0.0
    result: str = ""
    error_info: list[str] = field(default_factory=list)
    finished: float = 0.0
    other_config: dict[str, str] = field(default_factory=dict)


class Failed(Exception):
    """A task's work failed: ``description`` is the XenAPI ErrorDescription."""

    def __init__(self, description: list[str]) -> None:
        super().__init__(*description)
        self.description = description


def create(lab: Lab, name: str, host: str | None) -> Task:
    task = Task(str(uuidlib.uuid4()), name, host, time.time())
    with lab.lock:
        lab.tasks[task.uuid] = task
        finished = [t for t in lab.tasks.values() if t.status != "pending"]
        for old in sorted(finished, key=lambda t: t.finished)[: max(0, len(finished) - KEEP_FINISHED)]:
            del lab.tasks[old.uuid]
    lab.changed()
    return task


def progress(lab: Lab, task: Task, fraction: float) -> None:
    with lab.lock:
        task.progress = round(min(max(fraction, 0.0), 1.0), 3)
    lab.changed()


def finish(lab: Lab, task: Task, result: str = "", error: list[str] | None = None) -> None:
    with lab.lock:
        task.status = "failure" if error else "success"
        task.error_info = list(error or [])
        task.result = result if not error else ""
        task.progress = 1.0
        task.finished = time.time()
    lab.changed()


def run_async(lab: Lab, task: Task, work: Callable[[Callable[[float], None]], str]) -> None:
    """Run ``work(progress)`` in a thread of its own; its return value or Failed ends the task."""

    def body() -> None:
        try:
            result = work(lambda f: progress(lab, task, f))
        except Failed as exc:
            finish(lab, task, error=exc.description)
        except Exception as exc:  # noqa: BLE001 (xapi reports INTERNAL_ERROR, never loses a task)
            finish(lab, task, error=["INTERNAL_ERROR", f"{type(exc).__name__}: {exc}"])
        else:
            finish(lab, task, result=result)

    threading.Thread(target=body, name=f"task-{task.name}", daemon=True).start()
