"""Faults a live migration and the VMs' reachability must show (the destructive suites/xenmotion sees the
migration ones; the XenMotion VLAN off a trunk is ``trunk-vlan-removed``).

Each changes what the model says about a guest or a host, and the migration behaves accordingly:
a guest that dirties memory faster than the link carries it has a long stop-and-copy; a guest whose
drivers do not acknowledge the suspend request fails the migration; one whose netfront does not
announce itself after resuming stays unreachable behind the old host; a host whose memory is taken
cannot receive a VM, nor can one without the VM's network.
"""

from __future__ import annotations

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr
from simlab.model import capacity
from simlab.model.lab import Lab
from xenlab.inventory.schema import Inventory

MIB = 1024**2
LEFT_FREE = 512 * MIB  # less than any VM the workshop runs


def _migrating(inv: Inventory) -> str:
    """The first VM the xenmotion suite migrates (for examples)."""
    return next((v.name for v in inv.vms if v.migrate), inv.vms[0].name if inv.vms else "")


def _vm_network(inv: Inventory) -> str:
    """That VM's network."""
    return next((v.network or "" for v in inv.vms if v.name == _migrating(inv)), "")


def _destination(inv: Inventory) -> str:
    """Where that VM goes: the first other host."""
    vm = next((v for v in inv.vms if v.name == _migrating(inv)), None)
    return next((h.name for h in inv.pool.hosts if vm is None or h.name != vm.host), "")


@fault(
    "migration-downtime",
    breaks="a live migration's stop-and-copy pause (ms): a guest dirtying memory faster than the link carries it",
    example=lambda inv: [_migrating(inv), "3000"],
)
def migration_downtime(lab: Lab, vm: str, ms: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "stop_and_copy_ms", float(lookup.number(ms, "downtime (ms)", 0, 600000)))


@fault(
    "vm-suspend-unacknowledged",
    breaks="live migration of a VM whose drivers do not acknowledge the "
    "suspend request (VM_MIGRATE_FAILED; it stays on the source)",
    example=lambda inv: [_migrating(inv)],
)
def vm_suspend_unacknowledged(lab: Lab, vm: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "acks_suspend", False)


@fault(
    "vm-no-gratuitous-arp",
    breaks="the guest's announcement after a migration: the switch keeps sending its frames to the old host",
    example=lambda inv: [_migrating(inv)],
)
def vm_no_gratuitous_arp(lab: Lab, vm: str) -> Undo:
    target = lookup.vm(lab, vm)
    undo = set_attr(target, "announces_on_resume", False)

    def heal() -> None:
        undo()
        if target.power_state == "Running":  # a guest that talks again re-teaches the switch where it is
            target.announcements += 1

    return heal


@fault(
    "host-memory-exhausted",
    breaks="a host's free memory (512 MiB left): it cannot receive a VM",
    example=lambda inv: [_destination(inv)],
)
def host_memory_exhausted(lab: Lab, host: str) -> Undo:
    target = lookup.host(lab, host)
    free = capacity.free_memory(lab, host)
    if free <= LEFT_FREE:
        raise FaultError(f"{host} has only {free // MIB} MiB free already")
    return set_attr(target, "reserved_bytes", target.reserved_bytes + free - LEFT_FREE)


@fault(
    "vm-vif-unplugged",
    breaks="a VM's VIF unplugged: the VM does not answer on its network",
    example=lambda inv: [inv.vms[-1].name] if inv.vms else [],
)
def vm_vif_unplugged(lab: Lab, vm: str) -> Undo:
    target = lookup.vm(lab, vm)
    if not target.vif_attached:
        raise FaultError(f"VM {vm}'s VIF is already unplugged")
    return set_attr(target, "vif_attached", False)


@fault(
    "host-vlan-missing",
    breaks="a host's VLAN PIF on one network (`xe vlan-destroy` on that host alone): a VM on that network "
    "cannot start or migrate there (VM_REQUIRES_NETWORK)",
    example=lambda inv: [_destination(inv), _vm_network(inv)],
)
def host_vlan_missing(lab: Lab, host: str, network: str) -> Undo:
    target = lookup.host(lab, host)
    net = lab.networks.get(network)
    if net is None:
        raise FaultError(f"no network named {network!r}; the lab has {', '.join(sorted(lab.networks))}")
    if network == target.untagged_network:
        raise FaultError(f"{network} is {host}'s untagged network, not a VLAN")
    if network in target.missing_vlans:
        raise FaultError(f"{host} has no VLAN PIF on {network} already")
    target.missing_vlans.add(network)
    return lambda: target.missing_vlans.discard(network)
