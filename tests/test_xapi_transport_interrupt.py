"""An XML-RPC call interrupted mid-request (Ctrl-C, or the SIGTERM the destructive suites turn into
KeyboardInterrupt) must not poison the session's persistent connection: the restore that runs next
uses the same session to move every VM back.

xmlrpc's Transport drops its connection after an Exception but not after a KeyboardInterrupt, so the
next call on it failed (http.client CannotSendRequest / ResponseNotReady): the race behind a
SIGTERM-during-migration run that once left a VM on the other host.
"""

from __future__ import annotations

import signal
import threading
import time
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

import pytest

from xenlab.xapi.transport import TimeoutTransport


@pytest.fixture
def server():
    srv = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
    srv.register_function(lambda s: time.sleep(s) or "slept", "slow")
    srv.register_function(lambda: "pong", "ping")
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt("signal SIGALRM")


def test_a_call_after_an_interrupted_one_goes_through(server: str) -> None:
    proxy = xmlrpc.client.ServerProxy(server, transport=TimeoutTransport(5))
    assert proxy.ping() == "pong"  # the persistent connection is open
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            proxy.slow(1.0)  # interrupted while it waits for the reply
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert proxy.ping() == "pong"
