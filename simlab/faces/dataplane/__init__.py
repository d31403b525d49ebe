"""The data plane face: real network namespaces, veths and bridges that follow the model.

The switch is a namespace with one Linux bridge per VLAN (this kernel has neither 802.1Q
devices nor VLAN-aware bridges); hosts, the storage server, VMs and the probe are
namespaces cabled to it. Every model change (``lab.changed()``) wakes a worker thread
that reconciles the kernel with the model, so a `shutdown` on the switch CLI really
stops forwarding. Needs root; without it the face is skipped with the reason logged.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from simlab.faces.dataplane import garp
from simlab.faces.dataplane.apply import Kernel
from simlab.faces.dataplane.cleanup import LabLock, remove_namespaces
from simlab.faces.dataplane.memcopy import Copier
from simlab.model.desired import Desired, desired_state
from simlab.model.lab import Lab
from simlab.model.netnames import Names
from simlab.model.objects import VM

if TYPE_CHECKING:
    from simlab.twin import Twin
    from xenlab.inventory.schema import Inventory

log = logging.getLogger("simlab.dataplane")
START_TIMEOUT_S = 120
DEBOUNCE_S = 0.01  # a CLI `interface range` edit calls changed() per line; apply them together


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "the data plane needs root (network namespaces); packet checks will be skipped"
    if not os.path.isdir("/proc/self/ns"):
        return "this kernel has no namespaces"
    return None


class DataPlane:
    name = "dataplane"

    def __init__(self, lab: Lab, names: Names) -> None:
        self.lab = lab
        self.names = names
        self.kernel = Kernel(names)
        self.lock = LabLock(names)
        self.applied_generation = -1
        self.last_error: str | None = None
        self.last_changes = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._subscribed = False
        self._announced: dict[tuple[str, str], int] = {}  # (VM namespace, guest MAC) -> gratuitous ARPs sent
        # VM switch end -> (VM uuid, domid) of the boot whose VIF was plugged in and announced: a new VM
        # under an old name (the next run's clone) or a restarted one is not up until its own boot is.
        self._guests_up: dict[str, tuple[str, int]] = {}

    # -- Face -------------------------------------------------------------------------------
    def start(self) -> None:
        self.lock.acquire()
        leftovers = remove_namespaces(self.names)
        if leftovers:
            log.warning("removed %d namespaces left by an earlier twin of this lab", len(leftovers))
        if not self._subscribed:
            self.lab.subscribe(self._on_change)
            self._subscribed = True
        self._stopping.clear()
        self._ready.clear()
        with self.lab.lock:
            # Guests that announced before the data plane came up need not do it again.
            self._announced = {
                (ns, a.mac): a.count for ns, a in desired_state(self.lab, self.names).announcements.items()
            }
        self._guests_up.clear()
        self._start_error = None
        # pyroute2 sockets belong to the thread that opened them: all kernel work happens in the worker.
        self._thread = threading.Thread(target=self._run, name="simlab-dataplane", daemon=True)
        self._thread.start()
        self._ready.wait(START_TIMEOUT_S)
        error = self._start_error or (None if self._ready.is_set() else TimeoutError("data plane start timed out"))
        if error is not None:
            self.stop()
            raise RuntimeError(f"data plane did not come up: {error}") from error
        atexit.register(self.stop)  # Ctrl-C ends the process through normal exit: clean up there too
        self.lab.memory_copier = Copier(self.names)
        self.lab.guest_network = self._guest_up

    def stop(self) -> None:
        if isinstance(self.lab.memory_copier, Copier):
            self.lab.memory_copier = None
        if self.lab.guest_network == self._guest_up:
            self.lab.guest_network = None
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None
        remove_namespaces(self.names)
        self.lock.release()
        atexit.unregister(self.stop)

    def endpoints(self) -> list[str]:
        with self.lab.lock:
            want = desired_state(self.lab, self.names)
        probe = f", probe in netns {self.names.probe_ns}" if self.names.probe_ns else ""
        return [
            f"dataplane: {len(want.namespaces)} namespaces ({self.names.prefix}*{probe}), "
            f"{len(want.ports)} links, {len(want.bridges)} VLAN bridges"
        ]

    # -- reconciling ------------------------------------------------------------------------
    def reconcile(self) -> int:
        """One pass; runs in the worker thread only (pyroute2 sockets belong to the thread that opened them)."""
        with self.lab.lock:
            generation = self.lab.generation
            want = desired_state(self.lab, self.names)
            boots = {
                self.names.switch_end("v", vm.name): (vm.uuid, vm.domid)
                for vm in self.lab.vms.values()
                if vm.power_state == "Running"
            }
        started = time.perf_counter()
        changes = self.kernel.apply(want)
        self._announce(want)
        for sw_name, boot in boots.items():
            port = want.ports.get(sw_name)
            if port is not None and port.bridge is not None:
                self._guests_up[sw_name] = boot
        if changes:
            log.debug(
                "reconciled generation %d: %d changes in %.1f ms",
                generation,
                changes,
                (time.perf_counter() - started) * 1000,
            )
        with self._idle:
            self.last_changes = changes
            self.applied_generation = generation
            self._idle.notify_all()
        return changes

    def _announce(self, want: Desired) -> None:
        """One gratuitous ARP from each VM whose guest announced itself since the last pass, once it is plugged in."""
        for ns, announcement in want.announcements.items():
            # Keyed by the guest's MAC too: a VM destroyed and another made under its name (a disposable
            # clone of the next run) is a new guest whose count starts again.
            key = (ns, announcement.mac)
            if announcement.count <= self._announced.get(key, 0):
                continue
            port = next((p for p in want.ports.values() if p.ns == ns), None)
            if port is None or port.bridge is None:
                continue  # not plugged in yet: announce when it is
            try:
                garp.send(ns, port.name, announcement.mac, announcement.address)
            except OSError as exc:
                log.warning("gratuitous ARP from %s failed: %s", ns, exc)
            self._announced[key] = announcement.count

    def _guest_up(self, vm: VM) -> bool:
        return self._guests_up.get(self.names.switch_end("v", vm.name)) == (vm.uuid, vm.domid)

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until the kernel reflects every model change made before this call."""
        with self.lab.lock:
            target = self.lab.generation
        with self._idle:
            return self._idle.wait_for(lambda: self.applied_generation >= target, timeout)

    def _on_change(self, _lab: Lab) -> None:
        self._wake.set()

    def _run(self) -> None:
        try:
            self.reconcile()
        except Exception as exc:
            self._start_error = exc
            self.kernel.close()
            return
        finally:
            self._ready.set()
        try:
            while not self._stopping.is_set():
                self._wake.wait()
                if self._stopping.is_set():
                    return
                time.sleep(DEBOUNCE_S)
                self._wake.clear()
                try:
                    self.reconcile()
                    self.last_error = None
                except Exception as exc:  # keep following the model; a later pass may succeed
                    self.last_error = str(exc)
                    log.exception("data plane reconcile failed")
                    self._wake.set()
                    time.sleep(0.5)
        finally:
            self.kernel.close()


def sweep(inventory: Inventory) -> list[str]:
    """Namespaces an earlier twin of this lab left (it was killed, or crashed): removed, one line each."""
    if unavailable_reason() is not None:
        return []
    names = Names(inventory.lab.name, inventory.probe.netns)
    lock = LabLock(names)
    try:
        lock.acquire()
    except RuntimeError:  # a live data plane of this lab: nothing of it is a leftover
        return []
    try:
        return [f"namespace {ns}" for ns in remove_namespaces(names)]
    finally:
        lock.release()


def make(twin: Twin) -> DataPlane | None:
    reason = unavailable_reason()
    if reason is None and not twin.lab.switches:
        reason = "the inventory has no switch stack to cable the data plane to"
    if reason is not None:
        log.warning("data plane not started: %s", reason)
        return None
    return DataPlane(twin.lab, Names(twin.lab.name, twin.lab.probe.netns))
