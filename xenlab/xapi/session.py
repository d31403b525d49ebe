"""A logged-in XenAPI session on the pool master, found from any host of the inventory.

The PyPI client does not follow HOST_IS_SLAVE and has no timeout; this wrapper does
both: it tries the inventory's hosts (staggered), follows a slave to its master, bounds
every call with ``pool.timeout_s``, and gives one clear error naming what it tried.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
import xmlrpc.client
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any
from urllib.parse import urlparse, urlunparse

import XenAPI

from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import redact
from xenlab.xapi.transport import tls_context, transport_for

API_VERSION = "2.21"
STAGGER_S = 1.0  # ask the next host after this long without an answer
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

    Hosts are asked in the inventory's order, the next one as soon as the last failed or after
    ``STAGGER_S`` without an answer (as happy-eyeballs does), so a healthy pool costs one login and
    a pool with hosts down answers within about one ``timeout_s``, not one per host. A slave's answer
    names the master, which is asked at once. The error says how long it really took.
    """
    pool = inventory.pool
    user, password = pool.credentials.username, pool.credentials.password.reveal()
    queue = list(dict.fromkeys(h.url for h in pool.hosts))
    if any(u.lower().startswith("https:") for u in queue):
        try:
            tls_context(inventory)
        except (OSError, ssl.SSLError) as exc:
            raise DeviceError(f"pool {pool.name}", f"cannot verify TLS: {exc}") from None
    stagger = min(STAGGER_S, pool.timeout_s / 4)
    started = time.monotonic()
    next_at = started
    tried: dict[str, str] = {}
    seen: set[str] = set()
    pending: dict[Future[tuple[str, Any]], str] = {}
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="xapi-login")
    try:
        while queue or pending:
            now = time.monotonic()
            if queue and (not pending or now >= next_at):
                url = queue.pop(0)
                if url not in seen:
                    seen.add(url)
                    pending[executor.submit(_attempt, url, inventory, user, password)] = url
                    next_at = now + stagger
                continue
            done, _ = wait(pending, timeout=max(0.0, next_at - now) if queue else None, return_when=FIRST_COMPLETED)
            for future in done:
                url = pending.pop(future)
                kind, value = future.result()
                if kind == "session":
                    return XapiSession(value, url, pool.name)
                if kind == "refused":
                    raise LoginFailed(f"pool {pool.name}", f"{url} refused the login as {user}")
                if kind == "slave":
                    tried[url] = f"slave of {value}"
                    queue.insert(0, _url_for(value, url))
                else:
                    tried[url] = value
                next_at = time.monotonic()  # a host that answered "no": ask the next one now
    finally:
        for future in pending:  # whatever else logs in late is logged out again
            future.add_done_callback(_logout_late)
        executor.shutdown(wait=False)
    elapsed = time.monotonic() - started
    raise Unreachable(
        f"pool {pool.name}",
        f"no XenAPI master answered within {elapsed:.1f}s (each host asked for up to "
        f"{pool.timeout_s:g}s); tried " + "; ".join(f"{url}: {reason}" for url, reason in tried.items()),
    )
