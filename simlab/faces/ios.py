"""The switch face: one SSH server per switch stack, speaking the IOS CLI (``simlab.ios.cli``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simlab.faces.sshserver import SshServer, SshServers, static_credentials
from simlab.ios.cli import IosCli, exec_once

if TYPE_CHECKING:
    from simlab.twin import Twin


class IosFace(SshServers):
    name = "ios"

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        super().__init__()
        lab = twin.lab
        for sw in twin.inventory.switches:
            stack = lab.switches[sw.name]
            secret = sw.credentials.enable_secret.reveal() if sw.credentials.enable_secret else None

            def session(username: str, stack=stack, secret=secret) -> IosCli:
                return IosCli(lab, stack, secret, username)

            def run(username: str, command: str, session=session) -> tuple[int, str, str]:
                return 0, exec_once(session(username), command).replace("\n", "\r\n"), ""

            self.servers.append(
                SshServer(
                    twin,
                    device=sw.name,
                    address=str(sw.address),
                    port=sw.port,
                    check_password=static_credentials(sw.credentials.username, sw.credentials.password.reveal()),
                    shell=session,
                    exec_command=run,
                )
            )

    def endpoints(self) -> list[str]:
        return [f"ios  {s.device:<16} {s.endpoint}" for s in self.servers]


def make(twin: Twin) -> IosFace | None:
    return IosFace(twin) if twin.inventory.switches else None
