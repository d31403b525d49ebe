"""The twin's faces are views of one model: a change made through one protocol shows in all the others.

A member port shut with netmiko, as an engineer would, must show at once on the switch, in XenAPI
(Bond.links_up, PIF_metrics.carrier) and in dom0 (`ovs-appctl bond/show`), with no other step.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from netmiko import ConnectHandler

from tests.harness import TwinHarness
from xenlab.dom0 import Dom0, dom0_host
from xenlab.xapi import XapiSession, collect_facts, connect

pytestmark = [
    pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning"),  # inside netmiko
    pytest.mark.filterwarnings("ignore:Unknown ssh-ed25519 host key:UserWarning"),
]  # the twin's new keys


@pytest.fixture
def netmiko(twin: TwinHarness) -> Iterator[ConnectHandler]:
    sw = twin.inventory.switches[0]
    conn = ConnectHandler(
        device_type="cisco_ios",
        host=str(sw.address),
        port=sw.port,
        username=sw.credentials.username,
        password=sw.credentials.password.reveal(),
        secret=sw.credentials.enable_secret.reveal(),
        timeout=15,
    )
    conn.enable()
    yield conn
    conn.disconnect()


@pytest.fixture
def xapi(twin: TwinHarness) -> Iterator[XapiSession]:
    with connect(twin.inventory) as session:
        yield session


def _xen1_bond(xapi: XapiSession) -> tuple[int, dict[str, bool]]:
    host = collect_facts(xapi).host("xen1")
    return host.bonds[0].links_up, {pif.device: pif.carrier for pif in host.pifs if pif.physical}


def _dom0_bond(twin: TwinHarness) -> dict[str, bool]:
    dom0 = Dom0("xen1", dom0_host(twin.inventory, twin.inventory.host("xen1")))
    return {name: member.enabled for name, member in dom0.bond("bond0").members.items()}


def test_member_shut_with_netmiko_shows_in_xenapi_and_dom0(twin: TwinHarness, netmiko, xapi) -> None:
    assert _xen1_bond(xapi) == (2, {"eth0": True, "eth1": True})
    netmiko.send_config_set(["interface GigabitEthernet2/0/13", "shutdown"])
    try:
        twin.twin.settle()
        summary = netmiko.send_command("show etherchannel summary", use_textfsm=True)
        po1 = next(row for row in summary if row["bundle_name"] == "Po1")
        assert dict(zip(po1["member_interface"], po1["member_interface_status"], strict=True))["Gi2/0/13"] == "D"
        assert _xen1_bond(xapi) == (1, {"eth0": True, "eth1": False})
        assert _dom0_bond(twin) == {"eth0": True, "eth1": False}
    finally:
        netmiko.send_config_set(["interface GigabitEthernet2/0/13", "no shutdown"])
    assert _xen1_bond(xapi) == (2, {"eth0": True, "eth1": True})
    assert _dom0_bond(twin) == {"eth0": True, "eth1": True}
