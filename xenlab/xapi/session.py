"""A logged-in XenAPI session on the pool master, found from any host of the inventory.

The PyPI client does not follow HOST_IS_SLAVE and has no timeout; this wrapper does
both: it tries the inventory's hosts at once, follows a slave to its master, bounds
every call with ``pool.timeout_s``, and gives one clear error naming what it tried.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import xmlrpc.client
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
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

    @property
    def master_address(self) -> str:
        return urlparse(self.url).hostname or ""

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


def _attempt(url: str, inventory: Inventory, user: str, password: str) -> tuple[str, Any]:
    """One login: ("session", s) | ("slave", master address) | ("refused", None) | ("failed", reason)."""
    try:
        return "session", _login(url, inventory, user, password)
    except XenAPI.Failure as exc:
        details = [str(d) for d in exc.details]
        if details[:1] == ["HOST_IS_SLAVE"] and len(details) > 1 and details[1]:
            return "slave", details[1]
        if details[:1] == ["SESSION_AUTHENTICATION_FAILED"]:
            return "refused", None
        return "failed", redact(" ".join(details))
    except (OSError, xmlrpc.client.Error) as exc:
        return "failed", _reason(exc)


def _logout_late(future: Future[tuple[str, Any]]) -> None:
    with contextlib.suppress(Exception):
        kind, value = future.result()
        if kind == "session":
            XapiSession(value, "", "").logout()


def connect(inventory: Inventory) -> XapiSession:
    """Log in to the pool master; raise Unreachable (one line, everything tried) or LoginFailed.

    Every host of the inventory is asked at once, so a pool with hosts down answers within one
    ``timeout_s`` rather than one per host; a slave's answer names the master, which is asked next.
    """
    pool = inventory.pool
    user, password = pool.credentials.username, pool.credentials.password.reveal()
    queue = list(dict.fromkeys(h.url for h in pool.hosts))
    if any(u.lower().startswith("https:") for u in queue):
        try:
            tls_context(inventory)
        except (OSError, ssl.SSLError) as exc:
            raise DeviceError(f"pool {pool.name}", f"cannot verify TLS: {exc}") from None
    tried: dict[str, str] = {}
    seen: set[str] = set()
    rounds = 0
    while queue:
        batch = [u for u in queue if u not in seen]
        if not batch:
            break
        rounds += 1
        queue = []
        seen.update(batch)
        executor = ThreadPoolExecutor(max_workers=max(1, len(batch)), thread_name_prefix="xapi-login")
        futures = {executor.submit(_attempt, url, inventory, user, password): url for url in batch}
        executor.shutdown(wait=False)
        results: dict[str, tuple[str, Any]] = {}
        winner: tuple[str, Any] | None = None
        for future in as_completed(futures):
            url = futures[future]
            results[url] = future.result()
            if results[url][0] in ("session", "refused"):
                winner = (url, results[url])
                break
        if winner is not None:
            for future in futures:  # whatever else logs in late is logged out again
                if futures[future] != winner[0]:
                    future.add_done_callback(_logout_late)
            url, (kind, value) = winner
            if kind == "refused":
                raise LoginFailed(f"pool {pool.name}", f"{url} refused the login as {user}")
            return XapiSession(value, url, pool.name)
        for url in batch:  # report in the inventory's order
            kind, value = results[url]
            if kind == "slave":
                tried[url] = f"slave of {value}"
                queue.append(_url_for(value, url))
            else:
                tried[url] = value
    total = f"{pool.timeout_s:g}s" if rounds == 1 else f"{pool.timeout_s * rounds:g}s ({rounds} rounds)"
    raise Unreachable(f"pool {pool.name}",
                      f"no XenAPI master answered within {total}; tried "
                      + "; ".join(f"{url}: {reason}" for url, reason in tried.items()))
