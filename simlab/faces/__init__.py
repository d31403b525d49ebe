"""The twin's faces: each one serves a protocol as a view of the one model.

A face module exposes ``make(twin) -> Face | None`` (None when the inventory
has nothing for it to serve), and may expose ``sweep(inventory) -> list[str]``: remove what a killed
twin of that lab left, one line per thing removed. ``FACES`` is the order they start in; they stop in
reverse order.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xenlab.inventory.schema import Inventory

FACES = [
    "simlab.faces.xapi",  # XenAPI XML-RPC over HTTPS, one endpoint per host
    "simlab.faces.ios",  # Cisco IOS CLI over SSH, one endpoint per switch stack
    "simlab.faces.dom0",  # dom0 shell over SSH, one endpoint per host
    "simlab.faces.dataplane",  # network namespaces, veths and bridges (needs root)
    "simlab.faces.storage",  # the iSCSI target in the storage namespace, hosts' sessions (needs the data plane)
    "simlab.faces.bmc",  # one IPMI BMC per host (pyghmi), on its BMC address
    "simlab.faces.ha",  # xhad heartbeats between the host namespaces, and the failover (needs the data plane)
]


def sweep_faces(inventory: Inventory) -> list[str]:
    """Every face's leftovers of this lab, removed (call only while holding the lab's claim)."""
    removed: list[str] = []
    for module_name in FACES:
        sweep = getattr(importlib.import_module(module_name), "sweep", None)
        if sweep is not None:
            removed += sweep(inventory)
    return removed
