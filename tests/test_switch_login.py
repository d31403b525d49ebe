"""Logging in to a switch: a wrong enable secret is one clear line within seconds, not two read timeouts."""

from __future__ import annotations

import time

import pytest

from tests.harness import TwinHarness
from xenlab.errors import LoginFailed
from xenlab.inventory import Secret
from xenlab.inventory.loader import known_hosts_path
from xenlab.switch.client import SwitchClient


def test_wrong_enable_secret_fails_fast_with_one_line(twin: TwinHarness) -> None:
    switch = twin.inventory.switches[0]
    wrong = switch.credentials.model_copy(update={"enable_secret": Secret("not-the-enable-secret")})
    switch = switch.model_copy(update={"credentials": wrong})
    started = time.monotonic()
    with pytest.raises(LoginFailed) as caught:
        SwitchClient(switch, known_hosts_path(twin.inventory)).connect()
    elapsed = time.monotonic() - started
    assert str(caught.value) == f"{switch.name} ({switch.address}:{switch.port}): enable failed (wrong enable secret?)"
    # The read timeout is timeout_s (15 s); IOS answering "Password:" again must end it at once.
    assert elapsed < switch.timeout_s / 3, f"took {elapsed:.1f}s"


def test_right_enable_secret_reaches_privileged_mode(twin: TwinHarness) -> None:
    switch = twin.inventory.switches[0]
    client = SwitchClient(switch, known_hosts_path(twin.inventory)).connect()
    try:
        assert client._conn.check_enable_mode()
        assert "Cisco-Stack" in client.command("show version")
    finally:
        client.close()
