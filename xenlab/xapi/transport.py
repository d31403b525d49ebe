"""XML-RPC transports with a socket timeout and TLS verified against the inventory's CA."""

from __future__ import annotations

import http.client
import ssl
import xmlrpc.client
from pathlib import Path
from typing import Any

from xenlab.inventory.loader import inventory_path
from xenlab.inventory.schema import Inventory


def tls_context(inventory: Inventory) -> ssl.SSLContext:
    """Verification on unless the inventory turns it off; the inventory's CA file when it names one."""
    tls = inventory.pool.tls
    if not tls.verify:
        return ssl._create_unverified_context()  # noqa: S323 (the inventory asked for it explicitly)
    cafile: Path | None = inventory_path(inventory, tls.ca_file) if tls.ca_file else None
    if cafile is not None and not cafile.is_file():
        raise FileNotFoundError(f"pool.tls.ca_file {cafile} does not exist")
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


class _DropsConnectionOnInterrupt:
    """xmlrpc's Transport closes its persistent connection after an Exception but not after a
    KeyboardInterrupt (Ctrl-C, or the SIGTERM the destructive suites turn into one): the next call on it
    then fails with CannotSendRequest, and the restore that runs after the interrupt could not move a VM
    back. Any interrupted request drops the connection; the next call opens a fresh one."""

    def single_request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().single_request(*args, **kwargs)  # type: ignore[misc]
        except BaseException:
            self.close()  # type: ignore[attr-defined]
            raise


class TimeoutTransport(_DropsConnectionOnInterrupt, xmlrpc.client.Transport):
    """Plain HTTP; every socket operation bounded by ``timeout`` seconds."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        chost, self._extra_headers, _ = self.get_host_info(host)
        self._connection = host, http.client.HTTPConnection(chost, timeout=self.timeout)
        return self._connection[1]


class TimeoutSafeTransport(_DropsConnectionOnInterrupt, xmlrpc.client.SafeTransport):
    """HTTPS with the given context; every socket operation bounded by ``timeout`` seconds."""

    def __init__(self, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        if self._connection and host == self._connection[0]:
            return self._connection[1]  # type: ignore[return-value]
        chost, self._extra_headers, _ = self.get_host_info(host)
        self._connection = host, http.client.HTTPSConnection(chost, timeout=self.timeout, context=self.context)
        return self._connection[1]  # type: ignore[return-value]


def transport_for(url: str, inventory: Inventory) -> xmlrpc.client.Transport:
    timeout = inventory.pool.timeout_s
    if url.lower().startswith("https:"):
        return TimeoutSafeTransport(timeout, tls_context(inventory))
    return TimeoutTransport(timeout)
