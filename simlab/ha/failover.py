"""What xapi on the master does with its xhad's liveset: host liveness, halted VMs, restarts.

Every pass: a host that left the master's liveset is marked not live and its VMs halted
(HA_HOST_FAILED); a host that joined is marked live and enabled. Protected VMs that are not
running (level-sensitive) are restarted on a bin-packing plan, in ``order``, waiting each one's
``start_delay`` before the next; best-effort VMs of a failed host get one attempt if there is room.
A protected VM that cannot be restarted raises HA_PROTECTED_VM_RESTART_FAILED once.
"""

from __future__ import annotations

import logging
import threading
import time

from simlab.model import capacity, messages
from simlab.model.lab import Lab
from simlab.model.objects import VM

log = logging.getLogger("simlab.ha")


class Failover:
    def __init__(self, lab: Lab, hosts: list[str]) -> None:
        self.lab = lab
        self.hosts = hosts  # the hosts HA was enabled with (xhad.conf)
        self.best_effort: list[str] = []  # VMs of failed hosts owed one attempt
        self.alerted: set[str] = set()  # protected VMs whose restart failure was already reported
        self._restarting: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def busy(self) -> bool:
        """Restarting VMs right now."""
        return self._restarting is not None and self._restarting.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._restarting is not None:
            self._restarting.join(timeout=5)

    def note(self, text: str) -> None:
        self.lab.ha.log.append((time.time(), text))
        log.info("%s", text)

    def tick(self) -> bool:
        """One pass of the master's HA thread; True when it changed the model."""
        lab = self.lab
        changed = False
        with lab.lock:
            master = lab.pool.master
            view = lab.ha.daemons.get(master or "")
            if view is None or view.state != "online" or not lab.hosts[master].powered:
                return False  # no xapi master acting on a liveset right now
            for name in self.hosts:
                host = lab.hosts.get(name)
                if host is None:
                    continue
                if host.ha_live and name not in view.liveset:
                    host.ha_live = False
                    changed = True
                    messages.post(
                        lab,
                        "HA_HOST_FAILED",
                        3,
                        "Host",
                        host.uuid,
                        f"Host {name} failed: it left the HA liveset",
                        notify=False,
                    )
                    self.note(f"{name} declared dead")
                    for vm in lab.vms.values():
                        if vm.resident_on == name and vm.power_state != "Halted":
                            capacity.halt(vm)
                            self.note(f"{vm.name} marked halted")
                            if vm.ha_always_run and vm.ha_restart_priority == "best-effort":
                                self.best_effort.append(vm.name)
                elif not host.ha_live and name in view.liveset:
                    host.ha_live, host.enabled = True, True
                    changed = True
                    self.note(f"{name} live again (rejoined the liveset)")
            pending = self._protected_down() or self.best_effort
        if pending and (self._restarting is None or not self._restarting.is_alive()):
            self._restarting = threading.Thread(target=self._restart, name="simlab-ha-restart", daemon=True)
            self._restarting.start()
        return changed

    def _protected_down(self) -> list[VM]:
        return [vm for vm in self.lab.vms.values() if capacity.protected(vm) and vm.power_state == "Halted"]

    def _restart(self) -> None:
        lab = self.lab
        with lab.lock:
            down = self._protected_down()
            plan = capacity.restart_plan(lab, down)
            queue = sorted(down, key=lambda v: (v.order, v.name))
        for vm in queue:
            if self._stop.is_set():
                return
            with lab.lock:
                if vm.power_state != "Halted" or not capacity.protected(vm) or vm.name not in lab.vms:
                    continue
                started = self._start(vm, plan.get(vm.name))
            lab.changed()
            if started and vm.start_delay:
                self._stop.wait(vm.start_delay)
        with lab.lock:
            owed, self.best_effort = self.best_effort, []
            for name in owed:
                vm = lab.vms.get(name)
                if vm is not None and vm.power_state == "Halted":
                    self._start(vm, capacity.restart_plan(lab, [vm]).get(name), protected=False)
        lab.changed()

    def _start(self, vm: VM, host_name: str | None, protected: bool = True) -> bool:
        lab = self.lab
        hosts = (
            [lab.hosts[host_name]] if host_name else [h for h in lab.hosts.values() if capacity.live(h) and h.enabled]
        )
        error = "no host with room for it"
        for host in hosts:
            try:
                capacity.start(lab, vm, host)
            except capacity.StartFailed as exc:
                error = " ".join(exc.description)
                continue
            self.alerted.discard(vm.name)
            self.note(f"{vm.name} restarted on {host.name}")
            return True
        if not protected:
            self.note(f"{vm.name} (best-effort) not restarted: {error}")
        elif vm.name not in self.alerted:  # retried on every pass; reported once
            self.alerted.add(vm.name)
            messages.post(
                lab,
                "HA_PROTECTED_VM_RESTART_FAILED",
                2,
                "VM",
                vm.uuid,
                f"{vm.name} could not be restarted: {error}",
                notify=False,
            )
            self.note(f"{vm.name} not restarted: {error}")
        return False
