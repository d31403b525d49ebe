"""Checks xapi makes before acting on a VM, shared by the face's calls (methods, lifecycle)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlab.faces.xapi.records import ControlDomain
from simlab.faces.xapi.wire import XapiError

if TYPE_CHECKING:
    from simlab.faces.xapi.view import View
    from simlab.model.objects import VM


def user_vm(view: View, vm_ref: str) -> VM:
    obj = view.obj("VM", vm_ref)
    if isinstance(obj, ControlDomain):
        raise XapiError("OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain")
    return obj


def expect_power(vm_ref: str, vm: VM, *states: str) -> None:
    if vm.power_state not in states:
        raise XapiError("VM_BAD_POWER_STATE", vm_ref, states[0].lower(), vm.power_state.lower())
