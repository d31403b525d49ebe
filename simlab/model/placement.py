"""Where a VM runs, as the model says it: start on a host, halt, and what follows in the data plane.

This is the one way to put a VM on a host (XenAPI's VM.start_on, HA restarting a VM on a survivor,
a live migration's switch-over). The data plane follows the model: a running VM's namespace is
cabled to the virtual switch of the host it is resident on, which reaches the physical switch
through that host's bond; so a VM on a host whose cables are pulled is unreachable, and a VM that
starts elsewhere is reachable there. A guest that boots announces itself (a gratuitous ARP, as
CentOS's ifup does), so the switch learns its MAC behind the new host at once.

Call these with ``lab.lock`` held, then ``lab.changed()``.
"""

from __future__ import annotations

import time

from simlab.model.lab import Lab
from simlab.model.objects import VM


def next_domid(lab: Lab) -> int:
    return max([v.domid for v in lab.vms.values()] + [0]) + 1


def start_on(lab: Lab, vm: VM, host: str) -> None:
    """Boot ``vm`` on ``host``: running, resident there, a fresh domid, and the guest announces itself."""
    vm.power_state = "Running"
    vm.resident_on = host
    vm.domid = next_domid(lab)
    vm.frozen = False
    vm.start_time = time.time()
    vm.announcements += 1


def halt(vm: VM) -> None:
    vm.power_state, vm.resident_on, vm.domid, vm.frozen = "Halted", None, -1, False


def resume_on(vm: VM, host: str) -> None:
    """The switch-over of a live migration: the domain resumes on ``host``; its guest may announce itself."""
    vm.resident_on = host
    vm.frozen = False
    if vm.announces_on_resume:
        vm.announcements += 1
