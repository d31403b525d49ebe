"""Live migration through XenAPI, as a client does it: ``Async.VM.pool_migrate`` and its task, with a deadline.

The task is polled (never waited on without a bound) and destroyed afterwards; a migration that is
still running when the deadline passes is reported as such. ``wait_idle`` waits until no operation
runs on a VM, so a restore after an interrupted run does not collide with a migration still in flight.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import XenAPI

POLL_S = 0.2
T = TypeVar("T")


class MigrationTimeout(RuntimeError):
    """The migration did not finish within its deadline."""


@dataclass(frozen=True)
class Migration:
    vm: str
    source: str
    destination: str
    seconds: float
    error: list[str] | None  # XenAPI ErrorDescription when it failed

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        outcome = "done" if self.ok else "failed: " + " ".join(self.error or [])
        return f"{self.vm}: live migration {self.source} -> {self.destination} {outcome} in {self.seconds:.1f} s"


def wait_for(check: Callable[[], T], timeout: float, what: str, interval: float = POLL_S) -> T:
    """Poll ``check`` until it returns something true; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} (waited {timeout:g} s)")
        time.sleep(interval)


def wait_idle(xenapi: Any, vm_ref: str, timeout: float) -> None:
    """Wait until the VM has no operation in progress (a migration started by an interrupted run)."""
    wait_for(
        lambda: not xenapi.VM.get_current_operations(vm_ref),
        timeout,
        f"{xenapi.VM.get_name_label(vm_ref)} still has an operation in progress",
    )


def live_migrate(xenapi: Any, vm_ref: str, host_ref: str, deadline_s: float) -> Migration:
    """Migrate a running VM to a host of the same pool; the outcome, never an exception for a refused move."""
    name = xenapi.VM.get_name_label(vm_ref)
    source = xenapi.host.get_name_label(xenapi.VM.get_resident_on(vm_ref))
    destination = xenapi.host.get_name_label(host_ref)
    started = time.monotonic()
    try:
        task = xenapi.Async.VM.pool_migrate(vm_ref, host_ref, {"live": "true"})
    except XenAPI.Failure as exc:
        return Migration(name, source, destination, time.monotonic() - started, [str(d) for d in exc.details])
    try:
        record = wait_for(
            lambda: (r := xenapi.task.get_record(task))["status"] != "pending" and r,
            deadline_s,
            f"{name}: live migration to {destination} did not finish",
        )
    except TimeoutError as exc:
        raise MigrationTimeout(str(exc)) from None
    finally:
        seconds = time.monotonic() - started
    with contextlib.suppress(XenAPI.Failure):  # a task the pool already collected
        xenapi.task.destroy(task)
    error = None if record["status"] == "success" else [str(d) for d in record["error_info"]] or [record["status"]]
    return Migration(name, source, destination, seconds, error)
