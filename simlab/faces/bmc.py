"""The BMC face: one IPMI-over-LAN BMC per host (pyghmi's BMC server) on the host's BMC address.

``power status``, ``off``, ``on``, ``cycle`` and ``reset`` act on the host's power in the model, so an
IPMI power-off is seen everywhere a pulled plug would be: XenAPI stops answering, the data plane
takes the host's links down, the other hosts' xhad stop hearing it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING

from simlab.model.lab import Lab

if TYPE_CHECKING:
    from simlab.twin import Twin

log = logging.getLogger("simlab.bmc")


_RAKP_HMAC_SHA1 = 1
_INVALID_AUTH_ALGORITHM = 0x11


def _sha1_only(serversession) -> None:
    """pyghmi's server always answers with cipher suite 3 (SHA-1) whatever the client proposed, and
    pyghmi's client proposes SHA-256 first: refuse other algorithms as a SHA-1-only BMC does, so the
    client falls back to suite 3 as it would against such a BMC."""
    original = serversession.ServerSession.create_open_session_response
    if getattr(original, "sha1_only", False):
        return

    def create_open_session_response(self, request):  # noqa: ANN001, ANN202 (pyghmi's signature)
        if len(request) > 12 and request[12] != _RAKP_HMAC_SHA1:
            return bytearray([request[0], _INVALID_AUTH_ALGORITHM, 0, 0]) + request[4:8]
        return original(self, request)

    create_open_session_response.sha1_only = True
    serversession.ServerSession.create_open_session_response = create_open_session_response


def _bmc_class():  # pyghmi is imported only when a BMC is served
    from pyghmi.ipmi import bmc
    from pyghmi.ipmi.private import serversession

    _sha1_only(serversession)

    class HostBmc(bmc.Bmc):
        def __init__(self, lab: Lab, host: str, authdata: dict[str, str], address: str, port: int) -> None:
            self.lab, self.host = lab, host
            super().__init__(authdata, port=port, address=address)

        def get_power_state(self) -> str:
            return "on" if self.lab.hosts[self.host].powered else "off"

        def _power(self, on: bool) -> None:
            with self.lab.lock:
                self.lab.hosts[self.host].powered = on
            self.lab.changed()

        def power_off(self) -> None:
            self._power(False)

        def power_on(self) -> None:
            self._power(True)

        def power_cycle(self) -> None:
            self._power(False)
            self._power(True)

        def power_reset(self) -> None:
            self.power_cycle()

        def power_shutdown(self) -> None:
            self._power(False)

        def is_active(self) -> bool:
            return False

    return HostBmc


class BmcFace:
    name = "bmc"

    def __init__(self, twin: Twin) -> None:
        self.lab = twin.lab
        self.wanted = [
            (h.name, str(h.fence.address), h.fence.port, h.fence.credentials)
            for h in twin.inventory.pool.hosts
            if h.fence.address and h.fence.credentials
        ]
        self.bmcs: list = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from pyghmi.ipmi.private import session

        host_bmc = _bmc_class()
        try:
            for host, address, port, creds in self.wanted:
                try:
                    self.bmcs.append(host_bmc(self.lab, host, {creds.username: creds.password.reveal()}, address, port))
                except OSError as exc:
                    raise RuntimeError(
                        f"BMC of {host}: cannot listen on {address}:{port}: {exc.strerror or exc}"
                    ) from None
        except BaseException:
            self.stop()
            raise

        def serve() -> None:
            while not self._stop.is_set():
                session.Session.wait_for_rsp(0.5)

        self._thread = threading.Thread(target=serve, name="simlab-bmc", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        from pyghmi.ipmi.private import session

        self._stop.set()
        sockets = [bmc.serversocket for bmc in self.bmcs]
        for sock in sockets:  # out of pyghmi's IO loop first: it must never select on a closed socket
            session.Session.bmc_handlers.pop(sock, None)
            if sock in session.iosockets:
                session.iosockets.remove(sock)
        # pyghmi's IO thread selects for up to 300 s and wakes itself through its first socket's port on the
        # loopback address, which misses a BMC bound to the lab's own address: wake its select on our sockets.
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.sendto(b"\x01", sock.getsockname()[:2])
        if self._thread is not None:
            self._thread.join(timeout=5)
        for sock in sockets:
            sock.close()
        self.bmcs.clear()

    def endpoints(self) -> list[str]:
        return [f"bmc   {host:<10} ipmi://{address}:{port}" for host, address, port, _ in self.wanted]


def make(twin: Twin) -> BmcFace | None:
    import os

    face = BmcFace(twin)
    if not face.wanted:
        return None
    if os.geteuid() != 0 and any(port < 1024 for *_, port, _ in face.wanted):
        log.warning("BMCs not served: port %d needs root", min(p for *_, p, _ in face.wanted))
        return None
    return face
