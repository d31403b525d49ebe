"""Memory accounting and the HA failover plan, from the model (nothing stored)."""

from __future__ import annotations

from simlab.model.lab import Lab
from simlab.model.objects import Host

DOM0_MEMORY = 1024**3  # what the control domain keeps on every host


def live(host: Host) -> bool:
    """host_metrics.live: the host is up and the master hears its xapi."""
    return host.powered and host.xapi_live


def used_memory(lab: Lab, host: str) -> int:
    return DOM0_MEMORY + lab.hosts[host].reserved_bytes + sum(
        vm.memory_bytes for vm in lab.vms.values() if vm.resident_on == host and vm.power_state != "Halted"
    )


def free_memory(lab: Lab, host: str) -> int:
    return max(0, lab.hosts[host].memory_bytes - used_memory(lab, host))


def _protected(lab: Lab, host: str) -> list[int]:
    return [vm.memory_bytes for vm in lab.vms.values()
            if vm.resident_on == host and vm.power_state == "Running" and vm.ha_restart_priority == "restart"]


def plan_exists(lab: Lab, failures: int) -> bool:
    """Whether protected VMs still fit when the ``failures`` hosts carrying the most of them die."""
    hosts = [h.name for h in lab.hosts.values() if live(h)]
    if failures >= len(hosts):
        return failures == 0
    by_load = sorted(hosts, key=lambda h: sum(_protected(lab, h)), reverse=True)
    dead, survivors = by_load[:failures], by_load[failures:]
    free = sorted((free_memory(lab, h) for h in survivors), reverse=True)
    # First fit, largest VM first: good enough for the handful of VMs a lab protects.
    for size in sorted((m for h in dead for m in _protected(lab, h)), reverse=True):
        for n, room in enumerate(free):
            if room >= size:
                free[n] -= size
                break
        else:
            return False
    return True


def max_failures(lab: Lab) -> int:
    hosts = sum(1 for h in lab.hosts.values() if live(h))
    return next((n for n in range(hosts - 1, 0, -1) if plan_exists(lab, n)), 0)
