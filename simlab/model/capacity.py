"""Memory accounting, VM placement and the HA failover plan, computed from the model (nothing stored).

The plan follows xapi's binpack: protected VMs (``ha_always_run`` and priority ``restart``) of the
failed hosts are packed biggest first onto the surviving host with the most free memory among those
that can run it (a PIF on its network); a plan exists for ``r`` failures when every choice of ``r``
failed hosts leaves such a packing.
"""

from __future__ import annotations

from itertools import combinations

from simlab.model import links, placement
from simlab.model.lab import Lab
from simlab.model.objects import VM, Host

DOM0_MEMORY = 1024**3  # what the control domain keeps on every host
EXHAUSTIVE_LIMIT = 5000  # failure combinations checked one by one; beyond, the worst case is assumed


class StartFailed(Exception):
    """A VM cannot start there: xapi's error code and parameters, an object among them as (class, uuid)."""

    def __init__(self, code: str, *params: object) -> None:
        super().__init__(code, *params)
        self.code, self.params = code, params

    @property
    def description(self) -> list[str]:
        return [self.code, *(p[1] if isinstance(p, tuple) else str(p) for p in self.params)]


def live(host: Host) -> bool:
    """host_metrics.live: the host is up, the master hears its xapi and (with HA) it is in the liveset."""
    return host.powered and host.xapi_live and host.ha_live


def used_memory(lab: Lab, host: str) -> int:
    return (
        DOM0_MEMORY
        + lab.hosts[host].reserved_bytes
        + sum(vm.memory_bytes for vm in lab.vms.values() if vm.resident_on == host and vm.power_state != "Halted")
    )


def free_memory(lab: Lab, host: str) -> int:
    return max(0, lab.hosts[host].memory_bytes - used_memory(lab, host))


def protected(vm: VM) -> bool:
    return vm.ha_always_run and vm.ha_restart_priority == "restart" and not vm.is_template


def start(lab: Lab, vm: VM, host: Host) -> None:
    """Boot ``vm`` on ``host`` (call with lab.lock held); StartFailed with xapi's error when it cannot."""
    if not live(host):
        raise StartFailed("HOST_OFFLINE", ("host", host.uuid))
    if not can_run_on(lab, vm, host.name):
        raise StartFailed("VM_REQUIRES_NETWORK", ("VM", vm.uuid), ("network", lab.networks[vm.network].uuid))
    free = free_memory(lab, host.name)
    if vm.resident_on != host.name and free < vm.memory_bytes:
        raise StartFailed("HOST_NOT_ENOUGH_FREE_MEMORY", vm.memory_bytes, free)
    if vm.disk_locked:
        raise StartFailed(
            "SR_BACKEND_FAILURE_46",
            "",
            f"The VDI is not available [opterr=VDI of {vm.name} is locked by another host]",
            "",
        )
    placement.start_on(lab, vm, host.name)


def halt(vm: VM) -> None:
    placement.halt(vm)


# -- the failover plan ------------------------------------------------------------------------
def can_run_on(lab: Lab, vm: VM, host: str) -> bool:
    """What the plan asks of a host besides memory: a PIF on the VM's network (xapi's assert_can_boot_here)."""
    return vm.network is None or links.host_has_network(lab, host, vm.network)


def _pack(lab: Lab, vms: list[VM], free: dict[str, int]) -> dict[int, str] | None:
    """Biggest-fit-decreasing: each VM (biggest first) to the host it can run on with the most room; None if one
    fits nowhere."""
    room = dict(free)
    placed: dict[int, str] = {}
    for index in sorted(range(len(vms)), key=lambda n: -vms[n].memory_bytes):
        vm = vms[index]
        best = max((h for h in room if can_run_on(lab, vm, h)), key=lambda h: (room[h], h), default=None)
        if best is None or room[best] < vm.memory_bytes:
            return None
        room[best] -= vm.memory_bytes
        placed[index] = best
    return placed


def _live_hosts(lab: Lab, extra_vm: tuple[VM, str] | None = None) -> tuple[list[str], dict[str, list[VM]], dict]:
    hosts = [h.name for h in lab.hosts.values() if live(h) and h.enabled]
    load: dict[str, list[VM]] = {h: [] for h in hosts}
    free = {h: free_memory(lab, h) for h in hosts}
    for vm in lab.vms.values():
        if vm.power_state != "Halted" and vm.resident_on in load and protected(vm):
            load[vm.resident_on].append(vm)
    if extra_vm is not None:
        vm, host = extra_vm
        if host in free:
            free[host] -= vm.memory_bytes
            if protected(vm):
                load[host].append(vm)
    return hosts, load, free


def plan_exists(lab: Lab, failures: int, extra_vm: tuple[VM, str] | None = None) -> bool:
    """Whether protected VMs can be restarted after any ``failures`` of the live hosts fail."""
    hosts, load, free = _live_hosts(lab, extra_vm)
    if failures == 0:
        return all(room >= 0 for room in free.values())
    if failures >= len(hosts):
        return False
    choices = list(combinations(hosts, failures))
    if len(choices) > EXHAUSTIVE_LIMIT:  # xapi's cheaper approximation: the most loaded hosts fail
        choices = [tuple(sorted(hosts, key=lambda h: -sum(vm.memory_bytes for vm in load[h]))[:failures])]
    for dead in choices:
        survivors = {h: free[h] for h in hosts if h not in dead}
        if any(room < 0 for room in survivors.values()):
            return False
        if _pack(lab, [vm for h in dead for vm in load[h]], survivors) is None:
            return False
    return True


def max_failures(lab: Lab) -> int:
    hosts = sum(1 for h in lab.hosts.values() if live(h) and h.enabled)
    return next((n for n in range(hosts - 1, 0, -1) if plan_exists(lab, n)), 0)


def restart_plan(lab: Lab, vms: list[VM]) -> dict[str, str]:
    """VM name -> host for VMs to restart on the live, enabled hosts (missing: no room in the plan)."""
    hosts = [h.name for h in lab.hosts.values() if live(h) and h.enabled]
    free = {h: free_memory(lab, h) for h in hosts}
    placed = _pack(lab, vms, free)
    if placed is not None:
        return {vms[n].name: host for n, host in placed.items()}
    plan: dict[str, str] = {}  # no complete plan: place what fits, biggest first
    for vm in sorted(vms, key=lambda v: -v.memory_bytes):
        best = max((h for h in free if can_run_on(lab, vm, h)), key=lambda h: (free[h], h), default=None)
        if best is not None and free[best] >= vm.memory_bytes:
            free[best] -= vm.memory_bytes
            plan[vm.name] = best
    return plan
