"""The data path shows what the configuration promises: every host and every running VM answers ping
from the probe on each network it has an address on.

A VLAN missing from a host's trunk is caught here from the data path too, not only by reading the
switch's configuration (test_trunks.py).
"""

from __future__ import annotations

import pytest

from xenlab.inventory.schema import VM, Host
from xenlab.probe import Echo, Probe
from xenlab.xapi import XapiFacts

ATTEMPTS = 2  # a lab may drop one echo; two unanswered in a row are a fault


def _ping(probe: Probe, address: str) -> Echo:
    echo = probe.echo(address, 84)
    for _ in range(ATTEMPTS - 1):
        if echo.reply:
            break
        echo = probe.echo(address, 84)
    return echo


def test_host_answers_ping(probe: Probe, host_network: tuple[Host, str]) -> None:
    host, network = host_network
    address = str(host.addresses[network])
    echo = _ping(probe, address)
    assert echo.reply, f"{host.name}: no reply to ping at {address} on the {network} network ({echo.detail})"


def test_vm_answers_ping(probe: Probe, xapi_facts: XapiFacts, reachable_vm: VM) -> None:
    vm = xapi_facts.vm(reachable_vm.name)
    if vm is None or not vm.running:
        pytest.skip(f"{reachable_vm.name} is not running (test_vm_running reports it)")
    address = str(reachable_vm.address)
    echo = _ping(probe, address)
    where = f" on {vm.resident_on}" if vm.resident_on else ""
    assert echo.reply, (f"{reachable_vm.name}: no reply to ping at {address} on the {reachable_vm.network} "
                        f"network, running{where} ({echo.detail})")
