"""Watch the pool through a failover: fresh facts on every look, from whichever host is master now.

When HA fences the master, its XenAPI stops answering and a survivor becomes master; ``PoolWatch``
logs in again through the inventory's hosts (following HOST_IS_SLAVE) whenever a call fails.
"""

from __future__ import annotations

import contextlib
import time
import xmlrpc.client
from collections.abc import Callable
from typing import TypeVar

import XenAPI

from xenlab.errors import DeviceError
from xenlab.inventory.schema import Inventory
from xenlab.xapi import XapiFacts, XapiSession, collect_facts, connect

T = TypeVar("T")


class PoolWatch:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.session: XapiSession | None = None
        self.last_error = ""

    def facts(self) -> XapiFacts | None:
        """The pool as its master sees it now; None (and ``last_error``) when no master answers."""
        for _ in range(2):
            try:
                if self.session is None:
                    self.session = connect(self.inventory)
                return collect_facts(self.session)
            except (DeviceError, OSError, XenAPI.Failure, xmlrpc.client.Error) as exc:
                self.last_error = str(exc) or type(exc).__name__
                self.close()
        return None

    def call(self, fn: Callable[[XapiSession], T]) -> T:
        """One XenAPI call on the current master (logging in again once if the master changed)."""
        for attempt in range(2):
            try:
                if self.session is None:
                    self.session = connect(self.inventory)
                return fn(self.session)
            except (OSError, XenAPI.Failure, xmlrpc.client.Error):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.session is not None:
            with contextlib.suppress(Exception):
                self.session.logout()
            self.session = None


def wait_for(look: Callable[[], T | None], timeout: float, interval: float = 0.5) -> T | None:
    """Call ``look`` until it returns something truthy or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        found = look()
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(interval)
