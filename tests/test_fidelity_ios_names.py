"""Interface names as IOS takes them: every spelling reaches the same interface, at boot and over SSH.

IOS accepts a type in full or abbreviated, in any case, with or without a space before the number
(``interface port-channel 1``, ``int Gi 1/0/13``) and ``interface range`` lists with spaces around
``-`` and ``,``. What IOS refuses, the twin refuses with the same marker line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simlab.ios.boot import hardware, load_config
from simlab.ios.cli import IosCli
from simlab.ios.render import show_running_config
from simlab.model.build import build_lab
from tests.test_ios_cli import IosOnly, inventory_copy
from xenlab.inventory import load_inventory

TWINS_HOLD = "127.24"  # IOS-only twins on 127.24.1.1, each on a free port (tests/conftest.py)

pytestmark = pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")  # inside netmiko
INVENTORY = Path(__file__).parent / "inventories" / "twin.yml"
INVALID = "% Invalid input detected at '^' marker."

# (how it is typed, the interfaces it must reach)
FORMS = [
    ("interface port-channel 1", ["Port-channel1"]),
    ("interface Port-channel 1", ["Port-channel1"]),
    ("interface Port-channel1", ["Port-channel1"]),
    ("interface PORT-CHANNEL1", ["Port-channel1"]),
    ("interface po1", ["Port-channel1"]),
    ("interface Po 1", ["Port-channel1"]),
    ("int GigabitEthernet 1/0/13", ["GigabitEthernet1/0/13"]),
    ("interface gigabitethernet1/0/13", ["GigabitEthernet1/0/13"]),
    ("interface Gi1/0/13", ["GigabitEthernet1/0/13"]),
    ("interface gi 1/0/13", ["GigabitEthernet1/0/13"]),
    ("interface range port-channel 1 - 2", ["Port-channel1", "Port-channel2"]),
    ("interface range Po1-2", ["Port-channel1", "Port-channel2"]),
    (
        "interface range GigabitEthernet 1/0/13 - 14 , GigabitEthernet 2/0/13 -14",
        ["GigabitEthernet1/0/13", "GigabitEthernet1/0/14", "GigabitEthernet2/0/13", "GigabitEthernet2/0/14"],
    ),
    ("int range gi1/0/13,gi2/0/13", ["GigabitEthernet1/0/13", "GigabitEthernet2/0/13"]),
    ("interface range Gi1/0/1 - 2, 1/0/5", ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2", "GigabitEthernet1/0/5"]),
]
# (typed, what IOS answers: the marker line, and the column of the caret after the prompt, or None)
REFUSED = [
    ("interface Gi9/0/1", INVALID, len("interface ")),
    ("interface Foo1", INVALID, len("interface ")),
    ("interface Gi1/0/13 x", INVALID, len("interface Gi1/0/13 ")),
    ("interface Po 1 2", INVALID, len("interface Po 1 ")),
    ("interface Port-channel 200", INVALID, len("interface ")),
    ("interface range Gi1/0/14 - 13", INVALID, len("interface range ")),
    ("interface Po", "% Incomplete command.", None),
    ("interface", "% Incomplete command.", None),
]


@pytest.fixture
def cli() -> IosCli:
    lab = build_lab(load_inventory(INVENTORY))
    shell = IosCli(lab, lab.switches["cisco-stack"], "secret")
    for line in ["enable", "secret", "configure terminal"]:
        shell.feed(line)
    return shell


@pytest.mark.parametrize("typed, reached", FORMS, ids=[f[0] for f in FORMS])
def test_each_form_reaches_the_interface(cli: IosCli, typed: str, reached: list[str]) -> None:
    assert cli.feed(typed) == ""
    assert cli.mode is not None and list(cli.mode.interfaces) == reached
    cli.feed("description set through " + typed.split()[0])
    assert all(cli.stack.interfaces[name].description for name in reached)


@pytest.mark.parametrize("typed, marker, column", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_ios_refuses_is_refused_the_same_way(cli: IosCli, typed: str, marker: str, column: int | None) -> None:
    prompt = cli.prompt()
    out = cli.feed(typed)
    if column is None:
        assert out == f"{marker}\n\n"  # IOS leaves a blank line after it
    else:
        assert out.splitlines()[:2] == [" " * (len(prompt) + column) + "^", marker]
    assert cli.mode is not None and cli.mode.name == "config"


def test_every_form_boots_into_the_same_interface() -> None:
    """A startup-config written with spaces and lower case configures the real interfaces, no bogus block."""
    inv = load_inventory(INVENTORY)
    text = "\n".join(
        [
            "hostname Cisco-Stack",
            "interface port-channel 1",
            " description xen1 bond",
            "interface Port-channel 2",
            " description xen2 bond",
            "interface GigabitEthernet 1/0/13",
            " description xen1 eth0",
            "interface gi 2/0/13",
            " description xen1 eth1",
            "interface range Gi1/0/14 - 14 , gigabitethernet 2/0/14",
            " description xen2 nics",
            "end",
        ]
    )
    stack = hardware(inv.switches[0], inv)
    load_config(stack, text)
    described = {n: i.description for n, i in stack.interfaces.items() if i.description}
    assert described == {
        "Port-channel1": "xen1 bond",
        "Port-channel2": "xen2 bond",
        "GigabitEthernet1/0/13": "xen1 eth0",
        "GigabitEthernet2/0/13": "xen1 eth1",
        "GigabitEthernet1/0/14": "xen2 nics",
        "GigabitEthernet2/0/14": "xen2 nics",
    }
    assert not stack.other_lines
    config = show_running_config(stack)
    assert "interface port-channel" not in config and "interface Port-channel1\n description xen1 bond" in config


# -- the same forms over SSH with netmiko ---------------------------------------------------------
@pytest.fixture(scope="module")
def ios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IosOnly]:
    folder = tmp_path_factory.mktemp("ios-names")
    face = IosOnly(inventory_copy(folder), folder / "state")
    yield face
    face.stop()


def test_forms_over_ssh_reach_the_same_interface(ios: IosOnly) -> None:
    conn = ios.connect()
    conn.enable()
    try:
        stack = ios.lab.switches["cisco-stack"]
        for n, (typed, reached) in enumerate(FORMS):
            out = conn.send_config_set([typed, f"description form {n}"])
            assert "% " not in out, f"{typed!r}: {out}"
            assert [stack.interfaces[name].description for name in reached] == [f"form {n}"] * len(reached), typed
        shown = conn.send_command("show running-config interface port-channel 1")
        assert "interface Port-channel1\n description form" in shown
        refused = conn.send_config_set(["interface Gi9/0/1"])
        assert INVALID in refused
    finally:
        conn.send_config_set(["interface range Po1 - 3, Gi1/0/1 - 24, Gi2/0/1 - 24", "no description"])
        conn.disconnect()
