"""A host-failure drill: steady state, fence, wait for the restarts, restore, steady state again.

Everything it observes goes into a ``Timeline``: fenced, declared dead (host_metrics.live false),
each protected VM running on a survivor, its first ping reply, the host back (live and enabled).
Each victim VM is pinged from the fence on by a ``xenlab.pinger.Pinger``, so its first reply after the
restart is timed to the ping interval, and its outage is in the plot.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from xenlab.ha.fence import Fencer
from xenlab.ha.timeline import Timeline
from xenlab.ha.watch import PoolWatch, wait_for
from xenlab.inventory.schema import Inventory
from xenlab.pinger import Pinger, PingerError, PingReport
from xenlab.xapi import XapiFacts

Ping = Callable[[str], bool]  # address -> answered
POLL_S = 0.5
PING_INTERVAL_S = 0.2
PING_TIMEOUT_S = 1.0


def steady_state_problems(inventory: Inventory, facts: XapiFacts | None, ping: Ping) -> list[str]:
    """What keeps the lab from its steady state: every host live and enabled, every protected VM
    running and answering ping."""
    if facts is None:
        return ["no XenAPI master answers"]
    problems = []
    for host in inventory.pool.hosts:
        found = facts.host(host.name)
        if found is None or not found.live or not found.enabled:
            state = "missing" if found is None else ("not live" if not found.live else "disabled")
            problems.append(f"{host.name}: {state}")
    for vm in inventory.vms:
        if vm.restart_priority != "restart":
            continue
        found = facts.vm(vm.name)
        if found is None or not found.running:
            problems.append(f"{vm.name}: {'missing' if found is None else found.power_state.lower()}")
        elif vm.address is not None and not ping(str(vm.address)):
            problems.append(f"{vm.name}: does not answer ping at {vm.address}")
    return problems


@dataclass
class Drill:
    inventory: Inventory
    watch: PoolWatch
    ping: Ping
    host: str
    timeline: Timeline = field(init=False)
    placement: dict[str, str] = field(default_factory=dict)  # VM -> host before the drill
    victims: list[str] = field(default_factory=list)  # protected VMs that ran on the fenced host
    first_master: str | None = None
    pingers: dict[str, Pinger] = field(default_factory=dict)  # victim VM -> its pinger, from the fence on
    pings: dict[str, PingReport] = field(default_factory=dict)  # victim VM -> what its pinger saw
    replies_at_restart: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.timeline = Timeline(f"HA failover of {self.host}")

    def steady_state(self) -> list[str]:
        facts = wait_for(lambda: self.watch.facts(), 10)
        problems = steady_state_problems(self.inventory, facts, self.ping)
        if facts is not None and not problems and not self.placement:
            self.placement = {v.name: v.resident_on for v in facts.vms.values() if v.resident_on}
            self.first_master = facts.pool.master.name if facts.pool.master else None
        return problems

    def fence(self, fencer: Fencer) -> None:
        protected = {v.name for v in self.inventory.vms if v.restart_priority == "restart"}
        self.victims = sorted(vm for vm, host in self.placement.items() if host == self.host and vm in protected)
        self._start_pingers()
        fencer.fence()
        self.timeline.add("fenced", self.host, fencer.method)

    def _start_pingers(self) -> None:
        """A pinger per victim with an address, from the runner's interface on its network; a victim whose
        pinger cannot run here (no raw socket) is pinged once per poll instead."""
        for vm in self.inventory.vms:
            if vm.name not in self.victims or vm.address is None:
                continue
            probe = self.inventory.probe
            pinger = Pinger(str(vm.address), PING_INTERVAL_S, PING_TIMEOUT_S, probe.netns, probe.source(vm.network))
            with contextlib.suppress(PingerError, OSError):
                self.pingers[vm.name] = pinger.start()

    def stop_pingers(self) -> None:
        """Stop the pingers and time each first reply after the outage from the echoes themselves."""
        for name, pinger in self.pingers.items():
            self.pings[name] = report = pinger.stop()
            event = self.timeline.first("first ping reply", name)
            fenced = self.timeline.first("fenced")
            if event is None or fenced is None:
                continue
            after = [e for e in report.echoes if self.timeline.offset(e.sent) >= fenced.at]
            lost = next((i for i, e in enumerate(after) if e.rtt_ms is None), None)
            reply = next((e for e in after[lost or 0 :] if e.rtt_ms is not None and e.received), None)
            if lost is not None and reply is not None and reply.received is not None:
                event.at = self.timeline.offset(reply.received)
                event.detail += f" (echo {reply.seq}, {report.lost} of {report.sent} lost)"
        self.timeline.events.sort(key=lambda e: e.at)
        self.pingers.clear()

    def wait_for_restarts(self, deadline_s: float) -> dict[str, str]:
        """Until every victim runs on a survivor and answers ping; what is still missing, by VM."""
        addresses = {v.name: str(v.address) for v in self.inventory.vms if v.address is not None}
        left = {vm: "not restarted" for vm in self.victims}
        end = time.monotonic() + deadline_s
        try:
            while True:
                facts = self.watch.facts()
                if facts is not None:
                    self._observe(facts, left, addresses)
                if not left or time.monotonic() >= end:
                    return left
                time.sleep(POLL_S)
        finally:
            self.stop_pingers()

    def _answers(self, name: str, address: str) -> bool:
        """A reply since the VM was seen restarted (its pinger), or to one echo now (no pinger)."""
        pinger = self.pingers.get(name)
        if pinger is None:
            return self.ping(address)
        return pinger.replies > self.replies_at_restart.setdefault(name, pinger.replies)

    def _observe(self, facts: XapiFacts, left: dict[str, str], addresses: dict[str, str]) -> None:
        host = facts.host(self.host)
        if host is not None and not host.live and not self.timeline.first("declared dead", self.host):
            self.timeline.add("declared dead", self.host, "host_metrics.live false")
        master = facts.pool.master
        if master is not None and master.name != self.first_master and not self.timeline.first("new master"):
            self.timeline.add("new master", master.name)
        for name in list(left):
            vm = facts.vm(name)
            if vm is None or not vm.running or vm.resident_on == self.host:
                left[name] = f"{vm.power_state.lower() if vm else 'missing'}"
                continue
            if not self.timeline.first("restarted", name):
                self.timeline.add("restarted", name, f"on {vm.resident_on}")
                if name in self.pingers:
                    self.replies_at_restart[name] = self.pingers[name].replies
            address = addresses.get(name)
            if address is None or self._answers(name, address):
                if address is not None:
                    self.timeline.add("first ping reply", name, address)
                del left[name]
            else:
                left[name] = f"running on {vm.resident_on} but not answering ping at {address}"

    def wait_host_back(self, deadline_s: float) -> str | None:
        """Until the fenced host is live and enabled again; None, or what it still is."""

        def back() -> bool:
            facts = self.watch.facts()
            host = facts.host(self.host) if facts else None
            return bool(host and host.live and host.enabled)

        if wait_for(back, deadline_s, POLL_S):
            self.timeline.add("host back", self.host, "live and enabled")
            return None
        return f"{self.host}: not live and enabled {deadline_s:g}s after the restore"

    def put_vms_back(self) -> list[str]:
        """Live-migrate every VM that moved back to the host it ran on before the drill."""
        facts = self.watch.facts()
        problems = []
        if facts is None:
            return ["no XenAPI master answers"]
        for name, host in self.placement.items():
            vm, target = facts.vm(name), facts.host(host)
            if vm is None or target is None or not vm.running or vm.resident_on == host:
                continue
            try:
                self.watch.call(
                    lambda s, vm=vm, target=target: s.xenapi.VM.pool_migrate(vm.ref, target.ref, {"live": "true"})
                )
            except Exception as exc:  # noqa: BLE001 (reported with the VM it concerns)
                problems.append(f"{name}: could not be migrated back to {host}: {exc}")
        return problems

    def put_master_back(self) -> str | None:
        """Make the host that was master before the drill master again (HA moved it)."""
        facts = self.watch.facts()
        if facts is None or self.first_master is None:
            return None if self.first_master is None else "no XenAPI master answers"
        host = facts.host(self.first_master)
        if facts.pool.master is None or host is None or facts.pool.master.name == self.first_master:
            return None
        try:
            self.watch.call(lambda s: s.xenapi.pool.designate_new_master(host.ref))
        except Exception as exc:  # noqa: BLE001 (reported with the host it concerns)
            return f"{self.first_master}: could not be made master again: {exc}"
        self.watch.close()  # the old master answers HOST_IS_SLAVE from now on
        return None

    def measured(self, t: int | None) -> str:
        """Detection and restart times next to T."""
        fenced = self.timeline.first("fenced")
        dead = self.timeline.first("declared dead")
        lines = [f"HA timeout T: {t if t is not None else '?'} s"]
        if fenced and dead:
            lines.append(f"detection (fenced -> declared dead): {dead.at - fenced.at:.1f} s")
        for vm in self.victims:
            restarted, pinged = self.timeline.first("restarted", vm), self.timeline.first("first ping reply", vm)
            if fenced and restarted:
                extra = f", first ping reply after {pinged.at - fenced.at:.1f} s" if pinged else ""
                lines.append(f"{vm}: restarted {restarted.at - fenced.at:.1f} s after the fence{extra}")
        return "\n".join(lines)
