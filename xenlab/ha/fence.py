"""Fencing a host the way the inventory says, and undoing it.

``switch-ports``: ``shutdown`` on every member of the host's port-channels (the workshop's pulled
cables), over the switch's CLI with netmiko. ``ipmi``: chassis power off through the host's BMC
(pyghmi). Each fencer's ``restore`` undoes exactly what ``fence`` did, and ``how_to_mend`` says
what to type by hand when the restore itself fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from xenlab.errors import DeviceError
from xenlab.inventory.schema import Host, Inventory, Switch


class FenceError(DeviceError):
    """Fencing or restoring a host failed."""


class Fencer(Protocol):
    host: str
    method: str

    def fence(self) -> None: ...

    def restore(self) -> None: ...

    def how_to_mend(self) -> str: ...


@dataclass
class SwitchPortsFencer:
    """Shut the switch ports of every member of the host's port-channels."""

    host: str
    ports: list[tuple[Switch, str]]  # (switch, member port)
    known_hosts: Path | None = None
    method: str = "switch-ports"

    def _configure(self, command: str) -> None:
        from xenlab.switch.client import session

        for switch in {id(sw): sw for sw, _ in self.ports}.values():
            members = [p for sw, p in self.ports if sw is switch]
            lines = [line for port in members for line in (f"interface {port}", command)]
            try:
                session(switch, self.known_hosts).configure(lines)
            except DeviceError as exc:
                raise FenceError(switch.name, f"{command} on {', '.join(members)} failed: {exc.problem}") from None

    def fence(self) -> None:
        self._configure("shutdown")

    def restore(self) -> None:
        self._configure("no shutdown")

    def how_to_mend(self) -> str:
        by_switch: dict[str, list[str]] = {}
        for sw, port in self.ports:
            by_switch.setdefault(sw.name, []).append(port)
        return "; ".join(
            f"on {name}: configure terminal, interface range {', '.join(ports)}, no shutdown"
            for name, ports in by_switch.items()
        )


@dataclass
class IpmiFencer:
    """Power the host off (and back on) through its BMC."""

    host: str
    address: str
    port: int
    username: str
    password_ref: object  # a Secret, revealed only to log in
    method: str = "ipmi"
    _session: object = None

    def _command(self):  # -> pyghmi Command
        """One IPMI session for fence and restore, kept alive by pyghmi: pyghmi reuses its session object
        per BMC, and a second login on a logged-out or idle one does not come back."""
        from pyghmi.exceptions import IpmiException
        from pyghmi.ipmi import command

        if self._session is not None:
            return self._session
        try:
            self._session = command.Command(
                bmc=self.address, userid=self.username, password=self.password_ref.reveal(), port=self.port
            )
            return self._session
        except (IpmiException, OSError) as exc:
            raise FenceError(f"BMC of {self.host} ({self.address})", f"IPMI login failed: {exc}") from None

    def _power(self, state: str) -> None:
        from pyghmi.exceptions import IpmiException

        ipmi = self._command()
        try:
            ipmi.set_power(state, wait=False)
        except (IpmiException, OSError) as exc:
            raise FenceError(f"BMC of {self.host} ({self.address})", f"power {state} failed: {exc}") from None

    def power_state(self) -> str:
        from pyghmi.exceptions import IpmiException

        ipmi = self._command()
        try:
            return str(ipmi.get_power()["powerstate"])
        except (IpmiException, OSError) as exc:
            raise FenceError(f"BMC of {self.host} ({self.address})", f"power status failed: {exc}") from None

    def fence(self) -> None:
        self._power("off")

    def restore(self) -> None:
        self._power("on")

    def how_to_mend(self) -> str:
        return f"ipmitool -I lanplus -H {self.address} -p {self.port} -U {self.username} -P ... chassis power on"


def fencer_for(inventory: Inventory, host: Host, method: str | None = None) -> Fencer:
    """The fencer the inventory names for ``host`` (or ``method``), with what it needs resolved."""
    method = method or host.fence.method
    if method == "switch-ports":
        ports = [
            (sw, member)
            for sw in inventory.switches
            for pc in sw.port_channels
            if pc.peer == host.name
            for member in pc.members
        ]
        if not ports:
            raise FenceError(host.name, "switch-ports fencing: no port-channel in the inventory has it as peer")
        from xenlab.inventory.loader import known_hosts_path

        return SwitchPortsFencer(host.name, ports, known_hosts_path(inventory))
    if method == "ipmi":
        fence = host.fence
        if fence.address is None or fence.credentials is None:
            raise FenceError(host.name, "ipmi fencing needs fence.address and fence.credentials in the inventory")
        return IpmiFencer(
            host.name, str(fence.address), fence.port, fence.credentials.username, fence.credentials.password
        )
    raise FenceError(host.name, f"fence method {method!r} cannot fence a host")
