"""xapi messages (alerts for the administrator): a store in the model, as xapi keeps them.

Whatever raises an alert in the twin (HA losing a host, a PBD that will not plug, ...) calls
``post(lab, name, priority, cls, obj_uuid, body)``; the XenAPI face serves the store as the
``message`` class (``message.get_all_records``, ``get_since``, ``get``, ``create``, ``destroy``) and
``event.from(["message"], ...)`` reports each one as an ``add`` (a ``del`` when destroyed).

Names and priorities are xapi's (``Api_messages``): ``HA_HOST_FAILED`` 2, ``HA_POOL_OVERCOMMITTED`` 3,
``HA_STATEFILE_LOST`` 2, ``HOST_SYNC_DATA_FAILED`` 3, ...; priority 1 is the most urgent, 5 informational.
"""

from __future__ import annotations

import uuid as uuidlib
from typing import TYPE_CHECKING

from simlab.model.objects import Message

if TYPE_CHECKING:
    from simlab.model.lab import Lab


CLASSES = ("VM", "Host", "SR", "Pool", "VMPP", "VMSS", "PVS_proxy", "VDI", "Certificate")  # message.cls
KEPT = 10000  # xapi reaps the oldest beyond its message limit


def post(lab: Lab, name: str, priority: int, cls: str, obj_uuid: str, body: str = "", notify: bool = True) -> Message:
    """Add a message and notify the faces (``notify=False``: the caller calls ``lab.changed()`` itself)."""
    if cls not in CLASSES:
        raise ValueError(f"message class {cls!r} is not one of {', '.join(CLASSES)}")
    message = Message(str(uuidlib.uuid4()), name, int(priority), cls, obj_uuid, lab.clock.wall(), body)
    with lab.lock:
        lab.messages[message.uuid] = message
        for old in sorted(lab.messages.values(), key=lambda m: m.timestamp)[: max(0, len(lab.messages) - KEPT)]:
            del lab.messages[old.uuid]
    if notify:
        lab.changed()
    return message


def destroy(lab: Lab, uuid: str, notify: bool = True) -> None:
    with lab.lock:
        lab.messages.pop(uuid, None)
    if notify:
        lab.changed()
