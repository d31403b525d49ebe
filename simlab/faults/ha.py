"""HA faults: the configuration the HA suite checks, and failures HA must handle by its own rules.

None of these decides liveness: ``ha-heartbeat-cut`` takes the management VLAN off the host's trunk
(IOS config, as an engineer would) and the hosts' xhad work out from the heartbeats that stop
arriving which host fences; ``vm-disk-locked`` makes a VM's start fail the way a disk still locked
by a dead host does, so HA's restart of it fails.
"""

from __future__ import annotations

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr, undo_all
from simlab.faults.switch import _configure, _port_channel
from simlab.model import capacity
from simlab.model.lab import Lab
from simlab.model.objects import stable_uuid
from xenlab.ifname import parse_port
from xenlab.inventory.schema import Inventory


def _last_protected(inv: Inventory) -> list[str]:
    return next(([v.name] for v in reversed(inv.vms) if v.restart_priority == "restart"), [])


def _partition_loser(inv: Inventory) -> list[str]:
    """The host that loses a management partition (highest host UUID), so the example fences it."""
    if len(inv.pool.hosts) < 2:
        return []
    return [max(inv.pool.hosts, key=lambda h: stable_uuid(inv.lab.name, "host", h.name)).name]


@fault("ha-disabled", breaks="HA turned off on the pool (`pool.disable_ha`)", example=lambda inv: [])
def ha_disabled(lab: Lab) -> Undo:
    if not lab.pool.ha_enabled:
        raise FaultError("HA is not enabled on the pool")
    return set_attr(lab.pool, "ha_enabled", False)


@fault("ha-failures-to-tolerate", breaks="the number of host failures HA plans for", example=lambda inv: ["0"])
def ha_failures_to_tolerate(lab: Lab, failures: str) -> Undo:
    return set_attr(lab.pool, "ha_failures_to_tolerate", lookup.number(failures, "failures", 0, 16))


@fault(
    "ha-no-capacity",
    breaks="room to restart protected VMs: a host's free memory taken by something outside the pool's VMs",
    example=lambda inv: [inv.pool.hosts[-1].name],
)
def ha_no_capacity(lab: Lab, host: str) -> Undo:
    target = lookup.host(lab, host)
    return set_attr(target, "reserved_bytes", target.reserved_bytes + capacity.free_memory(lab, host))


@fault(
    "vm-ha-unprotected",
    breaks="a protected VM without HA restart priority (`ha_always_run` off)",
    example=_last_protected,
)
def vm_ha_unprotected(lab: Lab, vm: str) -> Undo:
    target = lookup.vm(lab, vm)
    return undo_all(set_attr(target, "ha_restart_priority", ""), set_attr(target, "ha_always_run", False))


@fault("vm-ha-order", breaks="a protected VM's HA restart order", example=lambda inv: [*_last_protected(inv), "9"])
def vm_ha_order(lab: Lab, vm: str, order: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "order", lookup.number(order, "order", 0, 10000))


@fault(
    "vm-disk-locked",
    breaks="a VM that HA cannot restart: its disk stays locked (its start fails)",
    example=lambda inv: [inv.vms[0].name] if inv.vms else [],
)
def vm_disk_locked(lab: Lab, vm: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "disk_locked", True)


@fault("ha-statefile-sr-unshared", breaks="the HA statefile's SR not shared", example=lambda inv: [])
def ha_statefile_sr_unshared(lab: Lab) -> Undo:
    sr = lab.srs.get(lab.pool.ha_heartbeat_sr or "")
    if sr is None:
        raise FaultError("the pool has no heartbeat SR")
    return set_attr(sr, "shared", False)


@fault(
    "ha-heartbeat-cut",
    breaks="a host's HA network heartbeats: the management VLAN taken off its trunk "
    "(storage still seen), so the hosts' own survival rules fence one",
    example=_partition_loser,
    needs_root=True,
)
def ha_heartbeat_cut(lab: Lab, host: str) -> Undo:
    lookup.host(lab, host)
    mgmt = next((n for n in lab.networks.values() if n.purpose == "management"), None)
    if mgmt is None:
        raise FaultError("the lab has no management network")
    for stack in lab.switches.values():
        for iface in stack.interfaces.values():
            if not iface.name.startswith("Port-channel"):
                continue
            po, members = _port_channel(stack, iface.name)
            cable = next((lab.cable_at(stack.name, parse_port(m.name).short) for m in members), None)
            if cable is not None and cable.server == host:
                return _configure(
                    stack, [f"interface {po.name}", f"switchport trunk allowed vlan remove {mgmt.vlan}"], [po, *members]
                )
    raise FaultError(f"{host} is not cabled to a port-channel")
