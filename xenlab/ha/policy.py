"""HA policy facts derived from the typed XenAPI facts: agility and the partition survivor.

"Properly shared" as the HA design document defines it: an SR that is shared with an attached PBD
on every enabled host; a network with an attached PIF on every enabled host. A VM is agile when
all its disks are on properly shared SRs and all its VIFs on properly shared networks.
"""

from __future__ import annotations

from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import SR, VM, Host, Network


def enabled_hosts(facts: XapiFacts) -> list[Host]:
    return [h for h in facts.hosts.values() if h.enabled]


def sr_sharing_problem(facts: XapiFacts, sr: SR) -> str | None:
    """Why ``sr`` is not properly shared, or None."""
    if not sr.shared:
        return "is not shared"
    missing = [h.name for h in enabled_hosts(facts) if (pbd := sr.pbd_on(h.name)) is None or not pbd.currently_attached]
    return f"is not attached on {', '.join(missing)}" if missing else None


def network_sharing_problem(facts: XapiFacts, network: Network) -> str | None:
    missing = [
        h.name for h in enabled_hosts(facts) if (pif := h.pif_on(network.name)) is None or not pif.currently_attached
    ]
    return f"has no attached PIF on {', '.join(missing)}" if missing else None


def _raw(facts: XapiFacts, cls: str, ref: str) -> dict:
    """VBD and VIF until their typed classes exist: only the references are read."""
    typed = facts.get(cls, ref)
    return typed.record if typed is not None else facts.records.get(cls, {}).get(ref, {})


def agility_problems(facts: XapiFacts, vm: VM, disks: bool = True) -> list[str]:
    """Why ``vm`` could not be restarted on any enabled host (empty: it is agile)."""
    problems = []
    for vbd_ref in vm.vbd_refs if disks else ():
        vbd = _raw(facts, "VBD", vbd_ref)
        vdi = facts.get("VDI", vbd.get("VDI"))
        if vdi is None or vdi.sr is None:
            continue  # an empty CD drive
        why = sr_sharing_problem(facts, vdi.sr)
        if why:
            problems.append(f"disk {vdi.name} is on SR {vdi.sr.name}, which {why}")
    for vif_ref in vm.vif_refs:
        vif = _raw(facts, "VIF", vif_ref)
        network = facts.get("network", vif.get("network"))
        if network is not None and (why := network_sharing_problem(facts, network)):
            problems.append(f"VIF on network {network.name}, which {why}")
    return problems


def partition_survivor(facts: XapiFacts) -> Host | None:
    """The host that survives a management-network partition of a two-host pool: the lowest UUID."""
    hosts = list(facts.hosts.values())
    return min(hosts, key=lambda h: h.uuid) if len(hosts) == 2 else None
