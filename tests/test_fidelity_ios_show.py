"""The show commands automation tools send, in their real formats: real samples and the twin through one parser.

Each command has a real IOS/IOS-XE sample in tests/data/ios (genieparser; sources in its README). The
same template (ntc-templates where it has one, xenlab's own where not) reads the sample and the twin's
output into the same fields; over SSH, netmiko with TextFSM reads every show command the twin serves.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko.utilities import get_structured_data_textfsm

from simlab.ios.cli import IosCli
from simlab.model.build import build_lab
from simlab.model.links import port_channel_state
from tests.test_ios_cli import IosOnly, inventory_copy
from tests.test_ios_parsers import INVENTORY, render
from xenlab.inventory import load_inventory
from xenlab.switch.parse import own_template, parse_output

TWINS_HOLD = "127.24"  # IOS-only twins on 127.24.1.1, each on a free port (tests/conftest.py)

pytestmark = pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")  # inside netmiko
DATA = Path(__file__).parent / "data" / "ios"

# command -> (real sample, {field: value the sample's own project expects of its first row})
REAL = {
    "show lacp sys-id": ("genie_show_lacp_sys_id.txt", {"system_priority": "32768", "system_id": "001e.49ff.3caf"}),
    "show lacp counters": (
        "genie_show_lacp_counters.txt",
        {"group": "1", "port": "Gi2", "lacpdus_sent": "27", "lacpdus_recv": "22"},
    ),
    "show lacp internal": (
        "genie_show_lacp_internal.txt",
        {"port": "Gi2", "flags": "SA", "state": "bndl", "port_state": "0x3D"},
    ),
    "show lacp neighbor detail": (
        "genie_show_lacp_neighbor_detail.txt",
        {
            "port": "Gi0/0/1",
            "system_id": "6487.88ff.68ef",
            "port_number": "0x2",
            "flags": "FA",
            "port_state": "0x3F",
            "activity": "Active",
            "timeout": "Short",
            "collecting": "Yes",
        },
    ),
    "show pagp neighbor": (
        "genie_show_pagp_neighbor.txt",
        {"group": "14", "port": "Gi1/0/7", "partner_name": "R4", "partner_device_id": "ecbd.1dff.5f89"},
    ),
    "show pagp counters": ("genie_show_pagp_counters.txt", {"port": "Gi0/1", "information_sent": "60"}),
    "show pagp internal": ("genie_show_pagp_internal.txt", {"port": "Gi0/1", "state": "U6/S7"}),
    "show etherchannel load-balancing": (
        "genie_show_etherchannel_load_balancing.txt",
        {"method": "flow-based", "algorithm": "Source Destination IP", "port_channel": "Port-channel1"},
    ),
    "show etherchannel detail": (
        "genie_show_etherchannel_detail.txt",
        {
            "group": "1",
            "port": "Te1/0/1",
            "port_state": "Up Mstr Assoc In-Bndl",
            "mode": "Active",
            "protocol": "LACP",
            "state": "bndl",
            "partner_dev_id": "a410.b6bb.ba00",
        },
    ),
    "show inventory": ("genie_show_inventory_c3850.txt", {"name": "c38xx Stack", "pid": "WS-C3850-24P-E"}),
}
# What the twin's workshop answers, first row.
TWIN = {
    "show lacp sys-id": {"system_priority": "32768"},
    "show lacp counters": {"group": "1", "port": "Gi1/0/13", "lacpdus_errors": "0"},
    "show lacp internal": {"group": "1", "port": "Gi1/0/13", "flags": "SA", "state": "bndl", "port_state": "0x3D"},
    "show lacp neighbor detail": {
        "group": "1",
        "port": "Gi1/0/13",
        "flags": "SA",
        "port_state": "0x3D",
        "activity": "Active",
        "synchronization": "Yes",
        "defaulted": "No",
    },
    "show etherchannel load-balancing": {"algorithm": "Source MAC", "port_channel": "Port-channel1"},
    "show etherchannel detail": {
        "group": "1",
        "port": "Gi1/0/13",
        "port_state": "Up Mstr Assoc In-Bndl",
        "mode": "Active",
        "port_channel": "Po1",
        "protocol": "LACP",
        "state": "bndl",
    },
    "show inventory": {"name": "c36xx Stack", "pid": "WS-C3650-24TS"},
}
PAGP = ["show pagp neighbor", "show pagp counters", "show pagp internal"]
# Every show command the twin serves.
SERVED = [
    "show version",
    "show inventory",
    "show switch",
    "show vlan",
    "show vlan brief",
    "show interfaces",
    "show interfaces Po1",
    "show interfaces status",
    "show interfaces switchport",
    "show interfaces trunk",
    "show etherchannel summary",
    "show etherchannel detail",
    "show etherchannel load-balance",
    "show etherchannel load-balancing",
    "show lacp neighbor",
    "show lacp neighbor detail",
    "show lacp sys-id",
    "show lacp counters",
    "show lacp internal",
    "show system mtu",
    "show ip interface brief",
    "show running-config interface Gi1/0/13",
    *PAGP,
]
# ntc-templates has a template for these: it must read the twin too (not only xenlab's override).
NTC = {
    "show version": "hardware",
    "show inventory": "pid",
    "show interfaces": "mtu",
    "show interfaces status": "port",
    "show etherchannel summary": "member_interface",
    "show interfaces switchport": "mode",
    "show vlan": "vlan_id",
    "show switch": "role",
    "show ip interface brief": "interface",
}


def sample(name: str) -> str:
    return (DATA / name).read_text()


@pytest.fixture(scope="module")
def lab():
    return build_lab(load_inventory(INVENTORY))


@pytest.mark.parametrize("command", list(REAL))
def test_real_sample_parses_as_its_project_expects(command: str) -> None:
    name, expected = REAL[command]
    rows = parse_output(command, sample(name))
    assert rows and {k: rows[0][k].strip() for k in expected} == expected


@pytest.mark.parametrize("command", list(TWIN))
def test_twin_answers_in_the_same_format(lab, command: str) -> None:
    twin = parse_output(command, render(lab, command))
    real = parse_output(command, sample(REAL[command][0]))
    assert twin and set(twin[0]) == set(real[0])
    assert {k: twin[0][k] for k in TWIN[command]} == TWIN[command]


@pytest.mark.parametrize("command", PAGP)
def test_pagp_on_an_lacp_only_switch_is_empty(lab, command: str) -> None:
    raw = render(lab, command)
    assert parse_output(command, raw) == []
    assert "Channel group" not in raw


@pytest.mark.parametrize("command", list(NTC))
def test_ntc_templates_read_the_twin(lab, command: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        rows = get_structured_data_textfsm(render(lab, command), platform="cisco_ios", command=command)
    assert isinstance(rows, list) and rows and rows[0][NTC[command]], command


def test_lacp_views_agree_with_the_summary_when_a_member_is_suspended(lab) -> None:
    cli = IosCli(lab, lab.switches["cisco-stack"], "secret")
    for line in [
        "enable",
        "secret",
        "configure terminal",
        "interface Gi2/0/13",
        "switchport trunk allowed vlan remove 30",
        "end",
    ]:
        cli.feed(line)
    try:
        assert [m.flag for m in port_channel_state(lab, cli.stack, 1).members] == ["P", "s"]
        internal = {r["port"]: r for r in parse_output("show lacp internal", cli.feed("show lacp internal"))}
        assert internal["Gi2/0/13"]["state"] == "susp" and internal["Gi1/0/13"]["state"] == "bndl"
        detail = {r["port"]: r for r in parse_output("show etherchannel detail", cli.feed("show etherchannel detail"))}
        assert detail["Gi2/0/13"]["port_state"] == "Up Mstr Susp"
    finally:
        for line in ["configure terminal", "interface Gi2/0/13", "switchport trunk allowed vlan add 30", "end"]:
            cli.feed(line)


# -- over SSH: netmiko with TextFSM, as automation sends them --------------------------------------
@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder = tmp_path_factory.mktemp("ios-show")
    face = IosOnly(inventory_copy(folder), folder / "state")
    connection = face.connect()
    connection.enable()
    yield connection
    connection.disconnect()
    face.stop()


def test_netmiko_textfsm_reads_every_show_command(conn) -> None:
    unread = []
    for command in SERVED:
        template = own_template(command)
        rows = conn.send_command(command, use_textfsm=True, textfsm_template=str(template) if template else None)
        if command in PAGP:
            assert isinstance(rows, str) and "% " not in rows, command  # nothing to read, and no error
        elif not (isinstance(rows, list) and rows):
            unread.append(command)
    assert not unread, f"netmiko read no rows from: {', '.join(unread)}"


def test_a_pagp_group_is_listed_by_the_pagp_commands_only(lab) -> None:
    cli = IosCli(lab, lab.switches["cisco-stack"], "secret")
    for line in [
        "enable",
        "secret",
        "configure terminal",
        "interface range Gi1/0/5 - 6",
        "channel-group 5 mode desirable",
        "end",
    ]:
        cli.feed(line)
    try:
        internal = parse_output("show pagp internal", cli.feed("show pagp internal"))
        assert [(r["group"], r["port"], r["flags"]) for r in internal] == [("5", "Gi1/0/5", "d"), ("5", "Gi1/0/6", "d")]
        assert [r["port"] for r in parse_output("show pagp counters", cli.feed("show pagp counters"))] == [
            "Gi1/0/5",
            "Gi1/0/6",
        ]
        assert parse_output("show pagp neighbor", cli.feed("show pagp neighbor")) == []  # no bond speaks PAgP
        assert "5" not in {r["group"] for r in parse_output("show lacp internal", cli.feed("show lacp internal"))}
    finally:
        for line in ["configure terminal", "no interface Port-channel5", "end"]:
            cli.feed(line)
