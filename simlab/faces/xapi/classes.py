"""Which XenAPI classes the face answers for, and how a class plugs in.

xapi answers ``get_all``/``get_all_records`` for every class in the datamodel's
``expose_get_all_messages_for`` (xapi-project/xen-api ``ocaml/idl/datamodel.ml``), plus ``message``
(its own calls). The face answers all of them: a class the lab has no objects of lists as empty, as
on a real pool without GPUs or PVS, never ``MESSAGE_METHOD_UNKNOWN``.

To serve a class's objects, add a builder to ``records.BUILDERS`` (or a module of its own whose
``BUILDERS`` ``tables.BUILDERS`` merges): ``builder(view) -> {ref: (model object, record)}``, fields as the
datamodel names them. The class then answers ``get_all``, ``get_all_records``, ``get_record``,
``get_by_uuid``, ``get_by_name_label`` and ``get_<field>``, its RW fields (``rwfields.RW``) take
``set_``, and ``event.from`` reports its changes, all with no further code. Calls with behaviour go in
``methods.MESSAGES``.
"""

from __future__ import annotations

# datamodel.ml expose_get_all_messages_for, in XenAPI spelling (class names are case-sensitive on the wire).
LISTED = (
    "task",
    "host",
    "host_metrics",
    "host_cpu",
    "SR",
    "VM",
    "VM_metrics",
    "VM_guest_metrics",
    "network",
    "VIF",
    "VIF_metrics",
    "PIF",
    "PIF_metrics",
    "PBD",
    "VDI",
    "VBD",
    "VBD_metrics",
    "console",
    "crashdump",
    "host_crashdump",
    "host_patch",
    "pool",
    "SM",
    "pool_patch",
    "pool_update",
    "Bond",
    "VLAN",
    "blob",
    "subject",
    "role",
    "secret",
    "tunnel",
    "VMPP",
    "VMSS",
    "VM_appliance",
    "VM_group",
    "PCI",
    "PGPU",
    "GPU_group",
    "VGPU",
    "VGPU_type",
    "DR_task",
    "PVS_site",
    "PVS_server",
    "PVS_proxy",
    "PVS_cache_storage",
    "Feature",
    "SDN_controller",
    "network_sriov",
    "PUSB",
    "USB_group",
    "VUSB",
    "Cluster",
    "Cluster_host",
    "Certificate",
    "Repository",
    "VTPM",
    "Observer",
    "Host_driver",
    "Driver_variant",
    "Caller",
    "Rate_limit",
    "message",
)
# Classes with records but no get_all: sessions are read one at a time.
UNLISTED = ("session",)
SERVED = LISTED + UNLISTED
# Classes event.from reports on (gen_events in the datamodel: not session, secret).
EVENTS = tuple(c for c in LISTED if c != "secret")
# Classes xapi generates no Async.* calls for (datamodel.ml no_async_messages_for).
NO_ASYNC = ("session", "event", "task", "data_source", "blob")


def split_wire_name(method: str) -> tuple[str, str] | None:
    """``VM.get_all`` or xapi's alternative ``VM_get_all`` -> (class, call); None if no class matches."""
    cls, dot, name = method.partition(".")
    if dot and cls in SERVED + ("event",):
        return cls, name
    for cls in sorted(SERVED + ("event",), key=len, reverse=True):
        if method.startswith(cls + "_") and len(method) > len(cls) + 1:
            return cls, method[len(cls) + 1 :]
    return None
