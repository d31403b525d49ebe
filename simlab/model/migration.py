"""Live migration in the model: pre-copy over the XenMotion network, then a short stop-and-copy.

1. **Pre-copy.** The VM's memory is copied from the source host to the destination over the
   network whose purpose is ``xenmotion`` (the management network if the lab has none) by the
   lab's ``memory_copier``. The data plane installs one that streams the bytes for real over TCP
   between the two hosts' namespaces on their XenMotion addresses, so the copy takes as long as
   that path takes and fails as it does (a VLAN missing from a trunk: no route; a destination
   whose migration daemon is stopped: connection refused). Without a data plane, the copy is
   modelled: it fails when the model says the two hosts' XenMotion traffic reaches no common VLAN.
2. **Stop-and-copy.** The domain is paused (``VM.frozen``: its VIF is disconnected) for the
   downtime, the residual dirty memory going across meanwhile; a guest that does not acknowledge
   the suspend request fails the migration and keeps running on the source.
3. **Switch-over.** The VM resumes on the destination (``placement.resume_on``); its guest
   announces itself with a gratuitous ARP, which the data plane sends as a real packet.

The downtime is drawn from ``Lab.migration_downtime_ms`` (default 60-210 ms, the range Clark et
al. measured, NSDI 2005) unless the VM has a stop-and-copy time of its own (``VM.stop_and_copy_ms``:
a guest dirtying memory faster than the link can carry it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Protocol

from simlab.model import links, placement
from simlab.model.lab import Lab
from simlab.model.objects import Network

MODELLED_GBIT = 10.0  # the copy rate without a data plane


class MigrationError(RuntimeError):
    """The migration failed; str() is xenopsd's reason. The VM keeps running on the source."""


class MemoryCopier(Protocol):
    def __call__(
        self, lab: Lab, src: str, dst: str, network: str, nbytes: int, progress: Callable[[float], None]
    ) -> None:
        """Copy ``nbytes`` from host ``src`` to host ``dst`` over ``network``; raise MigrationError."""


def xenmotion_network(lab: Lab) -> Network | None:
    by_purpose = {n.purpose: n for n in lab.networks.values()}
    return by_purpose.get("xenmotion") or by_purpose.get("management")


def modelled_copy(lab: Lab, src: str, dst: str, network: str, nbytes: int, progress: Callable[[float], None]) -> None:
    with lab.lock:
        a, b = links.switch_vlan_for(lab, src, network), links.switch_vlan_for(lab, dst, network)
    if a is None or b is None or a != b:
        raise MigrationError(f"Failed to connect to {dst} on the {network} network: No route to host")
    seconds = nbytes * 8 / (MODELLED_GBIT * 1e9)
    steps = 10
    for n in range(steps):
        time.sleep(seconds / steps)
        progress((n + 1) / steps)


def downtime_s(lab: Lab, vm_name: str) -> float:
    vm = lab.vms[vm_name]
    if vm.stop_and_copy_ms is not None:
        return vm.stop_and_copy_ms / 1000
    low, high = lab.migration_downtime_ms
    return random.uniform(low, high) / 1000


def live_migrate(lab: Lab, vm_name: str, dst: str, progress: Callable[[float], None] = lambda f: None) -> float:
    """Migrate a running VM to ``dst``; return the downtime in seconds. Raise MigrationError."""
    with lab.lock:
        vm = lab.vms[vm_name]
        src = vm.resident_on
        network = xenmotion_network(lab)
        nbytes = vm.memory_bytes
    if src is None or network is None:
        raise MigrationError(
            f"VM {vm_name} is not resident on any host" if src is None else "the pool has no network to migrate over"
        )
    if src == dst:
        progress(1.0)
        return 0.0
    copier: MemoryCopier = lab.memory_copier or modelled_copy
    copier(lab, src, dst, network.name, nbytes, lambda f: progress(0.9 * f))
    pause = downtime_s(lab, vm_name)
    with lab.lock:
        vm.frozen = True
    lab.changed()
    try:
        time.sleep(pause)
        with lab.lock:
            if not vm.acks_suspend:
                raise MigrationError("Xenops_interface.Xenopsd_error(Failed_to_acknowledge_suspend_request)")
            placement.resume_on(vm, dst)
    finally:
        with lab.lock:
            vm.frozen = False
        lab.changed()
    progress(1.0)
    return pause
