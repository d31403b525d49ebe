"""A logged-in XenAPI session on the pool master, found from any host of the inventory.

The PyPI client does not follow HOST_IS_SLAVE and has no timeout; this wrapper does
both: it tries the inventory's hosts in order, follows a slave to its master, bounds
every call with ``pool.timeout_s``, and gives one clear error naming what it tried.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import xmlrpc.client
from typing import Any
from urllib.parse import urlparse, urlunparse

import XenAPI

from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import redact
from xenlab.xapi.transport import tls_context, transport_for

API_VERSION = "2.21"
ORIGINATOR = "xenlab"


def _url_for(address: str, like: str) -> str:
    """The URL of ``address`` with the scheme, port and path of a sibling host's URL."""
    parsed = urlparse(like)
    netloc = f"{address}:{parsed.port}" if parsed.port else address
    return urlunparse(parsed._replace(netloc=netloc))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS verification failed ({exc.verify_message})"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return f"HTTP {exc.errcode} {exc.errmsg}"
    return redact(str(exc)) or type(exc).__name__


class XapiSession:
    """A session on the master; ``.xenapi`` is the PyPI client's proxy. Use as a context manager."""

    def __init__(self, session: XenAPI.Session, url: str, pool: str) -> None:
        self.session, self.url, self.pool = session, url, pool

    @property
    def xenapi(self) -> Any:
        return self.session.xenapi

    def logout(self) -> None:
        # A master that went away took its sessions with it: nothing to log out of.
        with contextlib.suppress(OSError, XenAPI.Failure, xmlrpc.client.Error):
            self.session.xenapi.session.logout()

    def __enter__(self) -> XapiSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.logout()


def _login(url: str, inventory: Inventory, user: str, password: str) -> XenAPI.Session:
    session = XenAPI.Session(url, transport=transport_for(url, inventory))
    session.xenapi.login_with_password(user, password, API_VERSION, ORIGINATOR)
    return session


def connect(inventory: Inventory) -> XapiSession:
    """Log in to the pool master; raise Unreachable (one line, everything tried) or LoginFailed."""
    pool = inventory.pool
    user, password = pool.credentials.username, pool.credentials.password.reveal()
    queue = [h.url for h in pool.hosts]
    if any(u.lower().startswith("https:") for u in queue):
        try:
            tls_context(inventory)
        except (OSError, ssl.SSLError) as exc:
            raise DeviceError(f"pool {pool.name}", f"cannot verify TLS: {exc}") from None
    tried: list[str] = []
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            return XapiSession(_login(url, inventory, user, password), url, pool.name)
        except XenAPI.Failure as exc:
            details = [str(d) for d in exc.details]
            if details[:1] == ["HOST_IS_SLAVE"] and len(details) > 1 and details[1]:
                tried.append(f"{url}: slave of {details[1]}")
                queue.insert(0, _url_for(details[1], url))
            elif details[:1] == ["SESSION_AUTHENTICATION_FAILED"]:
                raise LoginFailed(f"pool {pool.name}", f"{url} refused the login as {user}") from None
            else:
                tried.append(f"{url}: {redact(' '.join(details))}")
        except (OSError, xmlrpc.client.Error) as exc:
            tried.append(f"{url}: {_reason(exc)}")
    raise Unreachable(f"pool {pool.name}",
                      f"no XenAPI master answered within {pool.timeout_s:g}s; tried " + "; ".join(tried))
