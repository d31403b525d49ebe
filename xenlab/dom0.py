"""testinfra hosts for the pool's dom0s (paramiko backend), with the password kept out of host specs.

The host spec testinfra prints is ``root@127.18.0.11:2222``: the password is given to
paramiko directly, never written into the spec, a file or an id.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory.loader import known_hosts_path
from xenlab.inventory.schema import Host as InventoryHost
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import redact

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
                client.connect(hostname=str(host.address), port=host.ssh_port, username=self.host.user,
                               password=password.reveal(), timeout=timeout, banner_timeout=timeout,
                               auth_timeout=timeout, allow_agent=False, look_for_keys=False)
            except paramiko.AuthenticationException:
                problem: DeviceError = LoginFailed(where, f"login failed for user {self.host.user!r}")
            except paramiko.BadHostKeyException:
                problem = LoginFailed(where, f"host key does not match the one pinned in {known_hosts}")
            except (OSError, paramiko.SSHException) as exc:  # refused, timed out, unknown key: one line
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                problem = Unreachable(where, f"cannot connect: {redact(reason)}")
            else:
                return client
            client.close()
            raise problem

    return testinfra.host.Host(_Backend(host_spec(inventory, host), timeout=timeout))
