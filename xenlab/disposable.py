"""Disposable test VMs: clones of a template, tagged so an interrupted run's leftovers are found and removed.

A clone carries ``other_config:xenlab_disposable = <lab name>``. ``remove_leftovers`` (called when a
destructive session starts) shuts down and destroys every VM so tagged, with its disks; ``provision``
clones the template (copy on write), leaves the clone without an HA restart priority (so HA
neither restarts it behind the test's back nor plans capacity for it), starts it on a host and waits
for its guest to report an address; ``destroy`` removes one clone and its disks.
"""

from __future__ import annotations

import contextlib
from typing import Any

import XenAPI

from xenlab.migration import wait_for, wait_idle

TAG = "xenlab_disposable"


def _disks(xenapi: Any, vm: str) -> list[str]:
    return [
        xenapi.VBD.get_VDI(v)
        for v in xenapi.VM.get_VBDs(vm)
        if xenapi.VBD.get_type(v) == "Disk" and xenapi.VBD.get_VDI(v) != "OpaqueRef:NULL"
    ]


def destroy(xenapi: Any, vm: str, timeout: float = 300) -> None:
    """Shut the clone down if it runs, destroy it and its disks (its VIFs and VBDs go with it).

    A migration an interrupted run started may still be in flight: it is waited for (xapi refuses a
    shutdown meanwhile)."""
    wait_idle(xenapi, vm, timeout)
    disks = _disks(xenapi, vm)
    if xenapi.VM.get_power_state(vm) != "Halted":
        xenapi.VM.hard_shutdown(vm)
    xenapi.VM.destroy(vm)
    for vdi in disks:
        with contextlib.suppress(XenAPI.Failure):  # a disk already gone
            xenapi.VDI.destroy(vdi)


def leftovers(xenapi: Any, lab_name: str) -> dict[str, str]:
    """Clones an earlier run of this lab left behind: ref -> name."""
    found = xenapi.VM.get_all_records_where('field "is_control_domain"="false"')
    return {r: rec["name_label"] for r, rec in found.items() if rec["other_config"].get(TAG) == lab_name}


def remove_leftovers(xenapi: Any, lab_name: str) -> list[str]:
    removed = []
    for ref, name in leftovers(xenapi, lab_name).items():
        destroy(xenapi, ref)
        removed.append(name)
    return removed


def provision(xenapi: Any, template: str, name: str, host: str, lab_name: str, timeout: float) -> tuple[str, str]:
    """Clone ``template`` as ``name``, start it on ``host``; (VM ref, the address its guest reports)."""
    refs = xenapi.VM.get_by_name_label(template)
    if not refs:
        raise LookupError(f"template {template} does not exist")
    vm = xenapi.VM.clone(refs[0], name)
    try:
        xenapi.VM.add_to_other_config(vm, TAG, lab_name)
        # Unprotected whatever the template says: HA must neither restart a clone behind the test's back
        # nor count it in the pool's failover plan (a template of a protected VM carries its priority).
        if xenapi.VM.get_ha_always_run(vm):
            xenapi.VM.set_ha_always_run(vm, False)
        xenapi.VM.set_ha_restart_priority(vm, "")
        xenapi.VM.provision(vm)
        xenapi.VM.start_on(vm, xenapi.host.get_by_name_label(host)[0], False, False)

        def address() -> str | None:
            metrics = xenapi.VM.get_guest_metrics(vm)
            if metrics == "OpaqueRef:NULL":
                return None
            return xenapi.VM_guest_metrics.get_networks(metrics).get("0/ip")

        return vm, wait_for(address, timeout, f"{name}: its guest reported no address")
    except BaseException:
        with contextlib.suppress(Exception):
            destroy(xenapi, vm)
        raise
