"""Typed XenAPI objects, one module per area; importing this package registers them all.

How to add a class: see ``xenlab.xapi.typed`` (a frozen dataclass, ``@xapi_class("NAME")``,
``from_record``), put it in the module of its area here, and export it below.
"""

from xenlab.xapi.objects.message import Message
from xenlab.xapi.objects.network import PIF, Bond, Network, PIFMetrics
from xenlab.xapi.objects.pool import Cpu, Host, HostMetrics, Pool
from xenlab.xapi.objects.storage import PBD, SR, VBD, VDI, Secret
from xenlab.xapi.objects.vm import VIF, VM, VMGuestMetrics, VMMetrics

__all__ = [
    "PBD",
    "PIF",
    "SR",
    "VBD",
    "VDI",
    "VIF",
    "VM",
    "Bond",
    "Cpu",
    "Host",
    "HostMetrics",
    "Message",
    "Network",
    "PIFMetrics",
    "Pool",
    "Secret",
    "VMGuestMetrics",
    "VMMetrics",
]
