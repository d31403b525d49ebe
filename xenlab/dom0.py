"""testinfra hosts for the pool's dom0s (paramiko backend), with the password kept out of host specs.

The host spec testinfra prints is ``root@127.18.0.11:2222``: the password is given to
paramiko directly, never written into the spec, a file or an id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory.loader import known_hosts_path
from xenlab.inventory.schema import Host as InventoryHost
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import redact
from xenlab.tcp import no_delay

CONNECT_TIMEOUT_S = 10


def host_spec(inventory: Inventory, host: InventoryHost) -> str:
    """user@address:port: what testinfra shows for the host; never a password."""
    return f"{inventory.pool.credentials.username}@{host.address}:{host.ssh_port}"


def dom0_host(inventory: Inventory, host: InventoryHost, timeout: int = CONNECT_TIMEOUT_S) -> Any:
    """A ``testinfra.host.Host`` for one pool host's dom0; connects on first command."""
    import paramiko
    import testinfra.host
    from testinfra.backend.paramiko import ParamikoBackend

    password = inventory.pool.credentials.password
    known_hosts = known_hosts_path(inventory)

    class _Backend(ParamikoBackend):
        @cached_property
        def client(self) -> paramiko.SSHClient:
            client = paramiko.SSHClient()
            where = f"{host.name} dom0 ({host.address}:{host.ssh_port})"
            if known_hosts is not None:  # pinned: an unknown or changed dom0 key is refused
                if not known_hosts.is_file():
                    raise LoginFailed(where, f"known_hosts file {known_hosts} (ssh_known_hosts) does not exist")
                client.load_host_keys(str(known_hosts))
                client.set_missing_host_key_policy(paramiko.RejectPolicy())
            else:  # not pinned: logged and accepted, as most labs start
                client.load_system_host_keys()
                client.set_missing_host_key_policy(paramiko.WarningPolicy())
            try:
                client.connect(
                    hostname=str(host.address),
                    port=host.ssh_port,
                    username=self.host.user,
                    password=password.reveal(),
                    timeout=timeout,
                    banner_timeout=timeout,
                    auth_timeout=timeout,
                    allow_agent=False,
                    look_for_keys=False,
                )
            except paramiko.AuthenticationException:
                problem: DeviceError = LoginFailed(where, f"login failed for user {self.host.user!r}")
            except paramiko.BadHostKeyException:
                problem = LoginFailed(where, f"host key does not match the one pinned in {known_hosts}")
            except (OSError, paramiko.SSHException) as exc:  # refused, timed out, unknown key: one line
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                problem = Unreachable(where, f"cannot connect: {redact(reason)}")
            else:
                no_delay(client.get_transport())
                return client
            client.close()
            raise problem

    return testinfra.host.Host(_Backend(host_spec(inventory, host), timeout=timeout))


# -- typed dom0 facts, parsed here, asserted in the suites ----------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    running: bool


@dataclass(frozen=True)
class BondMember:
    name: str  # eth0
    enabled: bool  # OVS lets it carry traffic
    active: bool  # the active member (active-backup, or where balance-slb sends unhashed traffic)


@dataclass(frozen=True)
class BondState:
    """``ovs-appctl bond/show DEVICE``: OVS's own view of the bond."""

    device: str
    mode: str  # OVS bond_mode: balance-slb, balance-tcp, active-backup
    lacp_status: str  # negotiated, configured, off
    members: dict[str, BondMember]

    @property
    def disabled(self) -> list[str]:
        return sorted(n for n, m in self.members.items() if not m.enabled)


@dataclass(frozen=True)
class Interface:
    """One interface from ``ip -j addr show``."""

    name: str
    mtu: int
    up: bool
    addresses: tuple[str, ...]  # IPv4 and IPv6, without prefix lengths


@dataclass(frozen=True)
class IscsiSession:
    """One line of ``iscsiadm -m session``: ``tcp: [1] 198.18.20.10:3260,1 iqn... (non-flash)``."""

    sid: int
    portal: str
    port: int
    target: str
    state: str = "LOGGED_IN"  # iSCSI Session State (-P 1): LOGGED_IN, FAILED, FREE

    @property
    def logged_in(self) -> bool:
        return self.state == "LOGGED_IN"


@dataclass(frozen=True)
class Ping:
    sent: bool  # False: dom0 could not send packets at all
    ok: bool
    detail: str  # the last line ping printed (or its error)


def parse_bond_show(device: str, text: str) -> BondState:
    """OVS before 2.14 says ``slave eth0: enabled``, later ones ``member eth0: enabled``."""
    mode = lacp = ""
    members: dict[str, BondMember] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        key, _, value = line.partition(":")
        words = key.split()
        if key == "bond_mode":
            mode = value.strip()
        elif key == "lacp_status":
            lacp = value.strip()
        elif len(words) == 2 and words[0] in ("slave", "member") and not raw.startswith((" ", "\t")):
            current = words[1]
            members[current] = BondMember(current, value.strip() == "enabled", False)
        elif line in ("active slave", "active member") and current is not None:
            members[current] = BondMember(current, members[current].enabled, True)
    return BondState(device, mode, lacp, members)


def parse_ip_addr(text: str) -> dict[str, Interface]:
    rows = json.loads(text or "[]")
    return {
        r["ifname"]: Interface(
            r["ifname"],
            int(r.get("mtu", 0)),
            r.get("operstate") == "UP" or "UP" in r.get("flags", []),
            tuple(a["local"] for a in r.get("addr_info", []) if "local" in a),
        )
        for r in rows
    }


_SESSION = re.compile(r"^\S+:\s+\[(\d+)\]\s+([^:\s]+|\[[^\]]+\]):(\d+),\d+\s+(\S+)")


def parse_iscsi_sessions(text: str) -> list[IscsiSession]:
    found = []
    for line in text.splitlines():
        match = _SESSION.match(line.strip())
        if match:
            sid, portal, port, target = match.groups()
            found.append(IscsiSession(int(sid), portal.strip("[]"), int(port), target))
    return found


_DETAIL = {"Target": "target", "Current Portal": "portal", "SID": "sid", "iSCSI Session State": "state"}


def parse_iscsi_session_detail(text: str) -> list[IscsiSession]:
    """``iscsiadm -m session -P 1``: one block per session, starting at ``Target: IQN (non-flash)``."""
    blocks: list[dict[str, str]] = []
    for raw in text.splitlines():
        key, _, value = raw.strip().partition(": ")
        if key == "Target":
            blocks.append({})
        if key in _DETAIL and blocks:
            blocks[-1][_DETAIL[key]] = value.strip()
    found = []
    for b in blocks:
        host, _, port = b.get("portal", "").split(",")[0].rpartition(":")
        if "sid" in b and host:
            found.append(
                IscsiSession(int(b["sid"]), host.strip("[]"), int(port), b["target"].split()[0], b.get("state", ""))
            )
    return found


NO_SESSIONS = 21  # iscsiadm's exit status for "No active sessions"
CANNOT_SEND = 126


class Dom0:
    """One host's dom0 over testinfra: services, the OVS bond, interfaces, iSCSI sessions, ping.

    Each fact is read once per session (per worker) and parsed here; ``testinfra`` is the
    host itself, for anything not modelled yet.
    """

    def __init__(self, name: str, testinfra_host: Any) -> None:
        self.name, self.testinfra = name, testinfra_host
        self._bonds: dict[str, BondState] = {}

    def __repr__(self) -> str:
        return f"Dom0({self.name})"

    def service(self, name: str) -> Service:
        return Service(name, bool(self.testinfra.service(name).is_running))

    def bond(self, device: str) -> BondState:
        if device not in self._bonds:
            result = self.testinfra.run(f"ovs-appctl bond/show {device}")
            text = result.stdout if result.rc == 0 else ""
            self._bonds[device] = parse_bond_show(device, text)
        return self._bonds[device]

    @cached_property
    def interfaces(self) -> dict[str, Interface]:
        return parse_ip_addr(self.testinfra.check_output("ip -j addr show"))

    def interface_with(self, address: str) -> Interface | None:
        """The interface that holds ``address``."""
        return next((i for i in self.interfaces.values() if address in i.addresses), None)

    @cached_property
    def iscsi_sessions(self) -> list[IscsiSession]:
        result = self.testinfra.run("iscsiadm -m session -P 1")
        if result.rc == NO_SESSIONS:
            return []
        if result.rc != 0:
            raise DeviceError(f"{self.name} dom0", f"iscsiadm -m session failed: {result.stderr.strip()}")
        return parse_iscsi_session_detail(result.stdout)

    def ping(self, address: str, size: int, count: int = 2) -> Ping:
        """A don't-fragment ping of ``size`` payload bytes from dom0."""
        result = self.testinfra.run(f"ping -M do -s {size} -c {count} -i 0.2 -W 1 {address}")
        detail = result.stderr.strip() or (result.stdout.strip().splitlines() or [""])[-1]
        return Ping(result.rc != CANNOT_SEND, result.rc == 0, detail)


def expected_bond_state(mode: str, hashing: str) -> tuple[str, str]:
    """(OVS bond_mode, lacp_status) of a healthy bond of XenAPI mode ``mode``.

    XenServer runs an LACP bond as OVS balance-tcp (tcpudp_ports hashing) or balance-slb
    (src_mac) with LACP on; the other modes are OVS's own, with LACP off.
    """
    if mode == "lacp":
        return ("balance-tcp" if hashing == "tcpudp_ports" else "balance-slb"), "negotiated"
    return mode, "off"
