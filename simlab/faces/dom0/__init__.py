"""The dom0 face: an SSH server per host (at its management address and ssh_port), as testinfra sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlab.faces.dom0.commands import Dom0
from simlab.faces.sshserver import SshServer, SshServers, static_credentials
from simlab.model.netnames import Names

if TYPE_CHECKING:
    from simlab.twin import Twin


class _Session:
    """`ssh root@xen1` without a command: a plain prompt running the same commands."""

    echo = True

    def __init__(self, dom0: Dom0) -> None:
        self.dom0 = dom0
        self.closed = False

    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        return f"[root@{self.dom0.host_name} ~]# "

    def feed(self, line: str) -> str:
        if line.strip() in ("exit", "logout"):
            self.closed = True
            return ""
        if not line.strip():
            return ""
        _, out, err = self.dom0.run(line)
        return out + err


class Dom0Face(SshServers):
    name = "dom0"

    def __init__(self, twin: Twin) -> None:
        lab = twin.lab
        names = Names(lab.name, lab.probe.netns)
        creds = twin.inventory.pool.credentials
        check = static_credentials(creds.username, creds.password.reveal())
        super().__init__()
        for host in lab.hosts.values():
            dom0 = Dom0(lab, host.name, names)
            self.servers.append(
                SshServer(
                    twin,
                    device=f"dom0-{host.name}",
                    address=host.address,
                    port=host.ssh_port,
                    check_password=check,
                    shell=lambda _user, dom0=dom0: _Session(dom0),
                    exec_command=lambda _user, cmd, dom0=dom0: dom0.run(cmd),
                )
            )

    def endpoints(self) -> list[str]:
        return [f"dom0 {s.device.removeprefix('dom0-')}: {s.endpoint}" for s in self.servers]


def make(twin: Twin) -> Dom0Face | None:
    return Dom0Face(twin) if twin.lab.hosts else None
