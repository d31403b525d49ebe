"""testinfra hosts for the pool's dom0s (paramiko backend), with the password kept out of host specs.

The host spec testinfra prints is ``root@127.18.0.11:2222``: the password is given to
paramiko directly, never written into the spec, a file or an id.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from xenlab.inventory.schema import Host as InventoryHost
from xenlab.inventory.schema import Inventory

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

    class _Backend(ParamikoBackend):
        @cached_property
        def client(self) -> paramiko.SSHClient:
            client = paramiko.SSHClient()
            client.load_system_host_keys()
            # Unknown host keys are logged, not refused: a lab's dom0 keys are rarely in the runner's known_hosts.
            client.set_missing_host_key_policy(paramiko.WarningPolicy())
            client.connect(hostname=str(host.address), port=host.ssh_port, username=self.host.user,
                           password=password.reveal(), timeout=timeout, banner_timeout=timeout, auth_timeout=timeout,
                           allow_agent=False, look_for_keys=False)
            return client

    return testinfra.host.Host(_Backend(host_spec(inventory, host), timeout=timeout))
