"""RW fields the twin gives no behaviour to: a set_ is kept and read back, as xapi does.

Fields with behaviour (a VM's name, HA priority, other_config:auto_poweron, ...) have their own
setters in ``methods.SETTERS``; every other RW field of the datamodel listed here is stored in the
model's ``xapi_fields`` (by ref) and laid over the record it belongs to. The types say how a value
is checked: str, int (int64, sent as a string), bool, map (string to string) or set (of strings).
"""

from __future__ import annotations

from typing import Any

from simlab.faces.xapi.wire import XapiError, as_bool, as_int, as_map

_NAMED = {"name_label": "str", "name_description": "str", "other_config": "map", "tags": "set"}

RW: dict[str, dict[str, str]] = {
    "pool": {"name_description": "str", "tags": "set", "gui_config": "map", "wlb_enabled": "bool"},
    "host": {**_NAMED, "logging": "map", "display": "str", "license_server": "map"},
    "host_metrics": {"other_config": "map"},
    "host_cpu": {"other_config": "map"},
    "network": {**_NAMED, "MTU": "int"},
    "PIF": {"other_config": "map", "disallow_unplug": "bool"},
    "PIF_metrics": {"other_config": "map"},
    "Bond": {"other_config": "map"},
    "VLAN": {"other_config": "map"},
    "SR": {**_NAMED},
    "PBD": {"other_config": "map"},
    "VDI": {**_NAMED, "sm_config": "map", "xenstore_data": "map"},
    "VBD": {"other_config": "map", "qos_algorithm_type": "str", "qos_algorithm_params": "map"},
    "secret": {"other_config": "map"},
    "VM": {
        "name_description": "str",
        "tags": "set",
        "xenstore_data": "map",
        "platform": "map",
        "PV_args": "str",
        "HVM_boot_policy": "str",
        "HVM_boot_params": "map",
        "VCPUs_params": "map",
        "actions_after_shutdown": "str",
        "actions_after_reboot": "str",
        "actions_after_crash": "str",
        "recommendations": "str",
        "blocked_operations": "map",
        "suspend_SR": "str",
    },
    "VM_guest_metrics": {"other_config": "map"},
}


def is_rw(cls: str, field: str) -> bool:
    return field in RW.get(cls, {})


def check(cls: str, field: str, value: Any) -> Any:
    """The value as the record carries it, or INVALID_VALUE / FIELD_TYPE_ERROR as xapi answers."""
    kind = RW[cls][field]
    if kind == "str":
        if not isinstance(value, str):
            raise XapiError("FIELD_TYPE_ERROR", field)
        return value
    if kind == "int":
        return str(as_int(value, field))
    if kind == "bool":
        return as_bool(value, field)
    if kind == "map":
        return as_map(value, field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise XapiError("FIELD_TYPE_ERROR", field)
    return list(value)
