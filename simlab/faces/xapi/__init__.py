"""The twin's XenAPI face: XML-RPC over HTTPS, one endpoint per host, a view of the one model.

The master's endpoint serves the pool; a slave answers a login with HOST_IS_SLAVE. Endpoints
follow the model: a host that powers off stops answering, a host that joins gets one.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from simlab.faces.xapi.dispatch import Dispatcher
from simlab.faces.xapi.events import EventLog
from simlab.faces.xapi.server import Endpoint
from simlab.model.lab import Lab

if TYPE_CHECKING:
    from simlab.twin import Twin

log = logging.getLogger("simlab.xapi")


class XapiFace:
    name = "xapi"

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.lab: Lab = twin.lab
        credentials = twin.inventory.pool.credentials
        self.dispatcher = Dispatcher(
            self.lab,
            credentials.username,
            credentials.password.reveal(),
            EventLog(self.lab, lambda: self.dispatcher.view()),
        )
        self.endpoints_by_host: dict[str, Endpoint] = {}
        self._lock = threading.Lock()
        self._running = False

    def _endpoint(self, host: str, url: str) -> Endpoint:
        tls = None
        parsed = urlparse(url)
        if parsed.scheme == "https":
            from simlab.tls import authority

            tls = authority(self.twin).server_context(f"xapi-{host}", [parsed.hostname or ""])
        return Endpoint(host, url, self.lab, self.dispatcher, tls)

    def _reconcile(self, _lab: Lab | None = None) -> None:
        """Serve exactly the powered hosts; called on every change of the model."""
        if not self._running:
            return
        with self.lab.lock:
            wanted = {h.name: h.url for h in self.lab.hosts.values() if h.powered}
        with self._lock:
            for name, endpoint in list(self.endpoints_by_host.items()):
                if wanted.get(name) != endpoint.url:
                    endpoint.stop()
                    del self.endpoints_by_host[name]
            for name, url in wanted.items():
                if name not in self.endpoints_by_host:
                    endpoint = self._endpoint(name, url)
                    endpoint.start()
                    self.endpoints_by_host[name] = endpoint

    def start(self) -> None:
        self._running = True
        try:
            self._reconcile()
        except Exception:
            self.stop()
            raise
        self.lab.subscribe(self._on_change)

    def _on_change(self, lab: Lab) -> None:
        try:
            self._reconcile(lab)
        except RuntimeError as exc:  # a host that cannot listen must not break the caller's change
            log.error("%s", exc)

    def stop(self) -> None:
        self._running = False
        self.dispatcher.events.stop()
        with self._lock:
            for endpoint in self.endpoints_by_host.values():
                endpoint.stop()
            self.endpoints_by_host.clear()

    def endpoints(self) -> list[str]:
        master = self.lab.pool.master
        with self._lock:
            return [
                f"xapi  {name:<10} {e.url}{'  (master)' if name == master else ''}"
                for name, e in self.endpoints_by_host.items()
            ]


def make(twin: Twin) -> XapiFace | None:
    return XapiFace(twin) if twin.lab.hosts else None
