"""Faults of the pool, its hosts and its VMs, as the pool suite checks them."""

from __future__ import annotations

import copy
import ipaddress
from urllib.parse import urlparse, urlunparse

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr, undo_all
from simlab.model.lab import Lab
from simlab.model.objects import Host, stable_mac, stable_uuid

OTHER_CPU = "Intel(R) Xeon(R) CPU E5-2620 v4 @ 2.10GHz"


def _pop(mapping: dict, key: str) -> Undo:
    """Remove a key; the undo puts it back in its place (dict order is what faces list)."""
    order = list(mapping)
    value = mapping.pop(key)

    def undo() -> None:
        items = {**mapping, key: value}
        mapping.clear()
        mapping.update({k: items[k] for k in order if k in items} | items)

    return undo


def _extra_host(lab: Lab, name: str) -> Undo:
    """A host that joined the pool without being in the inventory: next free address, same port."""
    if name in lab.hosts:
        raise FaultError(f"host {name!r} already exists (hosts: {', '.join(lab.hosts)})")
    model = next(iter(lab.hosts.values()))
    used = {h.address for h in lab.hosts.values()}
    address = ipaddress.ip_address(model.address)
    while str(address) in used:
        address += 1
    url = urlparse(model.url)
    netloc = f"{address}:{url.port}" if url.port else str(address)
    host: Host = copy.deepcopy(model)
    host.name, host.uuid, host.address = name, stable_uuid(lab.name, "host", name), str(address)
    host.url, host.in_inventory, host.net_addresses = urlunparse(url._replace(netloc=netloc)), False, {}
    for nic in host.nics.values():
        nic.mac = stable_mac(lab.name, name, nic.device)
    lab.hosts[name] = host
    return lambda: lab.hosts.pop(name, None) and None


@fault("pool-renamed", breaks="the pool's name", example=lambda inv: [f"{inv.pool.name}-renamed"])
def pool_renamed(lab: Lab, name: str) -> Undo:
    return set_attr(lab.pool, "name", name)


@fault(
    "pool-extra-host",
    breaks="the pool's host list: a host the inventory does not list joins",
    example=lambda inv: ["xen-extra"],
)
def pool_extra_host(lab: Lab, host: str) -> Undo:
    return _extra_host(lab, host)


@fault(
    "pool-master-lost",
    breaks="the master: a host the inventory does not list takes over as master (so it is also an unexpected host)",
    example=lambda inv: ["xen-extra"],
)
def pool_master_lost(lab: Lab, host: str) -> Undo:
    remove = _extra_host(lab, host)
    return undo_all(remove, set_attr(lab.pool, "master", host))


@fault(
    "host-disabled",
    breaks="a host disabled (maintenance mode: `host.disable`)",
    example=lambda inv: [inv.pool.hosts[-1].name],
)
def host_disabled(lab: Lab, host: str) -> Undo:
    return set_attr(lookup.host(lab, host), "enabled", False)


@fault(
    "host-not-live",
    breaks="a host the master does not hear (host_metrics.live false)",
    example=lambda inv: [inv.pool.hosts[-1].name],
)
def host_not_live(lab: Lab, host: str) -> Undo:
    return set_attr(lookup.host(lab, host), "xapi_live", False)


@fault(
    "host-cpu-mismatch",
    breaks="pool homogeneity: one host with another CPU model",
    example=lambda inv: [inv.pool.hosts[-1].name],
)
def host_cpu_mismatch(lab: Lab, host: str) -> Undo:
    target = lookup.host(lab, host)
    return set_attr(target, "cpu_model", OTHER_CPU if target.cpu_model != OTHER_CPU else f"{OTHER_CPU} (B)")


@fault(
    "host-memory-mismatch",
    breaks="pool homogeneity: one host with a quarter less memory",
    example=lambda inv: [inv.pool.hosts[-1].name],
)
def host_memory_mismatch(lab: Lab, host: str) -> Undo:
    target = lookup.host(lab, host)
    return set_attr(target, "memory_bytes", target.memory_bytes * 3 // 4)


@fault("pool-auto-poweron-off", breaks="pool other_config:auto_poweron false", example=lambda inv: [])
def pool_auto_poweron_off(lab: Lab) -> Undo:
    return set_attr(lab.pool, "auto_poweron", False)


@fault("vm-missing", breaks="a VM deleted from the pool", example=lambda inv: [inv.vms[-1].name] if inv.vms else [])
def vm_missing(lab: Lab, vm: str) -> Undo:
    lookup.vm(lab, vm)
    return _pop(lab.vms, vm)


@fault("vm-halted", breaks="a VM shut down", example=lambda inv: [inv.vms[-1].name] if inv.vms else [])
def vm_halted(lab: Lab, vm: str) -> Undo:
    target = lookup.vm(lab, vm)
    if target.power_state == "Halted":
        raise FaultError(f"VM {vm} is already halted")
    # Shut down by someone, not failed: xapi clears ha_always_run, so HA leaves it halted.
    return undo_all(
        set_attr(target, "power_state", "Halted"),
        set_attr(target, "resident_on", None),
        set_attr(target, "domid", -1),
        set_attr(target, "ha_always_run", False),
    )


@fault(
    "vm-no-pv-drivers",
    breaks="a VM without PV drivers (guest tools not running)",
    example=lambda inv: [inv.vms[-1].name] if inv.vms else [],
)
def vm_no_pv_drivers(lab: Lab, vm: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "pv_drivers", False)


@fault(
    "vm-auto-poweron-off",
    breaks="a VM's other_config:auto_poweron false",
    example=lambda inv: [inv.vms[-1].name] if inv.vms else [],
)
def vm_auto_poweron_off(lab: Lab, vm: str) -> Undo:
    return set_attr(lookup.vm(lab, vm), "auto_poweron", False)


@fault(
    "iso-sr-missing",
    breaks="the ISO library SR forgotten by the pool",
    example=lambda inv: next(([s.name] for s in inv.srs if s.role == "iso"), []),
)
def iso_sr_missing(lab: Lab, sr: str) -> Undo:
    lookup.sr(lab, sr)
    return _pop(lab.srs, sr)
