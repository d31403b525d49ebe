"""Pinned SSH host keys: the twin writes its keys where the inventory says; a changed key is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import TWIN_INVENTORY, TwinHarness
from xenlab.dom0 import dom0_host
from xenlab.errors import DeviceError
from xenlab.inventory.loader import known_hosts_path, parse_inventory
from xenlab.switch.client import SwitchClient

OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHyb4mYgV5xKm1w9hB1dHk3qT0yB3cWb6Qy0v6p2m2Xo"


def test_twin_pins_every_ssh_endpoint(twin: TwinHarness) -> None:
    entries = dict(line.split(" ", 1) for line in known_hosts_path(twin.inventory).read_text().splitlines())
    expected = {f"[{h.address}]:{h.ssh_port}" for h in twin.inventory.pool.hosts}
    expected |= {f"[{sw.address}]:{sw.port}" for sw in twin.inventory.switches}
    assert set(entries) == expected


@pytest.fixture
def wrong_keys(twin: TwinHarness, tmp_path: Path):  # -> Inventory whose known_hosts holds other keys
    pinned = known_hosts_path(twin.inventory).read_text().splitlines()
    (tmp_path / "known_hosts").write_text("".join(f"{line.split()[0]} {OTHER_KEY}\n" for line in pinned))
    text = TWIN_INVENTORY.read_text().replace(
        "ssh_known_hosts: ../../.simlab/xltest/known_hosts", "ssh_known_hosts: known_hosts"
    )
    inventory = parse_inventory(text, str(tmp_path / "wrong.yml"))
    assert known_hosts_path(inventory) == tmp_path / "known_hosts"
    return inventory


def test_dom0_with_a_changed_key_is_refused_in_one_line(wrong_keys) -> None:
    host = wrong_keys.pool.hosts[0]
    with pytest.raises(DeviceError) as caught:
        dom0_host(wrong_keys, host).run("true")
    assert str(caught.value).startswith(f"{host.name} dom0 ({host.address}:{host.ssh_port}): host key does not match")
    assert "\n" not in str(caught.value)


def test_switch_with_a_changed_key_is_refused_in_one_line(wrong_keys) -> None:
    sw = wrong_keys.switches[0]
    with pytest.raises(DeviceError) as caught:
        SwitchClient(sw, known_hosts_path(wrong_keys)).connect()
    message = str(caught.value)
    assert message.startswith(f"{sw.name} ({sw.address}:{sw.port}): ") and "\n" not in message
    assert "key" in message.lower(), message
