"""One XML-RPC endpoint per host: its own address, the port and scheme of the host's URL.

An endpoint listens only while its host is powered: a powered-off host refuses
connections, as a real one does. TLS handshakes run in the request's thread, so a
client that connects and stays silent never blocks the others.
"""

from __future__ import annotations

import logging
import ssl
import threading
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from simlab.faces.xapi.wire import XapiError, failure, success

if TYPE_CHECKING:
    from simlab.faces.xapi.dispatch import Dispatcher
    from simlab.model.lab import Lab

log = logging.getLogger("simlab.xapi")
HANDSHAKE_TIMEOUT_S = 10
MAX_BODY = 16 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self, address: tuple[str, int], host: str, lab: Lab, dispatcher: Dispatcher, tls: ssl.SSLContext | None
    ) -> None:
        self.host_name, self.lab, self.dispatcher, self.tls = host, lab, dispatcher, tls
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        host = self.lab.hosts.get(self.host_name)
        if host is None or not host.powered:
            request.close()  # powered off between accept and now: no answer
            return
        if self.tls is not None:
            request.settimeout(HANDSHAKE_TIMEOUT_S)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                log.debug("%s: TLS handshake with %s failed: %s", self.host_name, client_address, exc)
                request.close()
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("%s: error serving %s", self.host_name, client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "xapi/25.6"
    timeout = 60

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self.send_error(400, "XML-RPC request without a body")
            return
        body = self.rfile.read(length)
        try:
            params, method = xmlrpc.client.loads(body)
        except Exception:  # noqa: BLE001 (any malformed body is the client's error)
            self.send_error(400, "malformed XML-RPC request")
            return
        try:
            response = success(self.server.dispatcher.call(self.server.host_name, method or "", params))
        except XapiError as exc:
            response = failure(exc.description)
        except Exception as exc:  # noqa: BLE001 (xapi answers INTERNAL_ERROR, never drops the call)
            log.exception("%s: %s failed", self.server.host_name, method)
            response = failure(["INTERNAL_ERROR", f"{type(exc).__name__}: {exc}"])
        data = xmlrpc.client.dumps((response,), methodresponse=True, allow_none=True).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        log.debug("%s: " + format, self.server.host_name, *args)


class Endpoint:
    """A host's XenAPI endpoint, started and stopped as the host powers on and off."""

    def __init__(self, host: str, url: str, lab: Lab, dispatcher: Dispatcher, tls: ssl.SSLContext | None) -> None:
        parsed = urlparse(url)
        self.host, self.url = host, url
        self.address = (parsed.hostname or "", parsed.port or (443 if parsed.scheme == "https" else 80))
        self.lab, self.dispatcher, self.tls = lab, dispatcher, tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def serving(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        try:
            self._server = _Server(self.address, self.host, self.lab, self.dispatcher, self.tls)
        except OSError as exc:
            raise RuntimeError(
                f"xapi: cannot listen on {self.address[0]}:{self.address[1]} for host {self.host}: "
                f"{exc.strerror or exc}"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"xapi-{self.host}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
