"""The data path shows what the configuration promises: every host and every running VM answers ping
from the probe on each network it has an address on.

A VLAN missing from a host's trunk is caught here from the data path too, not only by reading the
switch's configuration (test_trunks.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from xenlab.inventory.schema import VM, Host
from xenlab.pinger import PingReport
from xenlab.xapi import XapiFacts

Ping = Callable[[str, str | None], PingReport]


def _lost(report: PingReport) -> str:
    return f"{report.sent} echoes from the probe unanswered"


def test_host_answers_ping(icmp_probe: Ping, host_network: tuple[Host, str]) -> None:
    host, network = host_network
    address = str(host.addresses[network])
    report = icmp_probe(address, network)
    assert report.received, f"{host.name}: no reply to ping at {address} on the {network} network ({_lost(report)})"


def test_vm_answers_ping(icmp_probe: Ping, xapi_facts: XapiFacts, reachable_vm: VM) -> None:
    vm = xapi_facts.vm(reachable_vm.name)
    if vm is None:
        pytest.skip(f"{reachable_vm.name} does not exist (test_vm_exists reports it)")
    if not vm.running:
        pytest.skip(f"{reachable_vm.name} is not running (test_vm_running reports it)")
    address = str(reachable_vm.address)
    report = icmp_probe(address, reachable_vm.network)
    where = f" on {vm.resident_on}" if vm.resident_on else ""
    assert report.received, (
        f"{reachable_vm.name}: no reply to ping at {address} on the {reachable_vm.network} "
        f"network, running{where} ({_lost(report)})"
    )
