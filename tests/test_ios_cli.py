"""The IOS face as netmiko sees it, and the CLI's Catalyst semantics.

A private IOS face (its own loopback address and port, in this process) so config changes here
never touch the session twin other tests use.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from netmiko import ConnectHandler

from simlab.faces.ios import IosFace
from simlab.ios.cli import IosCli
from simlab.ios.render import show_running_config
from simlab.model.links import bond_links_up, port_channel_state
from simlab.twin import Twin
from xenlab.errors import LoginFailed, Unreachable
from xenlab.inventory import Inventory
from xenlab.inventory.loader import parse_inventory
from xenlab.inventory.secrets import Secret
from xenlab.switch.client import SwitchClient
from xenlab.switch.parse import own_template

TWINS_HOLD = "127.24"  # IOS-only twins on 127.24.1.1, each on a free port (tests/conftest.py)

pytestmark = pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")  # inside netmiko
TWIN_YML = Path(__file__).parent / "inventories" / "twin.yml"
ADDRESS = "127.24.1.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((ADDRESS, 0))
        return s.getsockname()[1]


def inventory_copy(folder: Path, startup_config: str | None = None) -> Inventory:
    text = TWIN_YML.read_text().replace("127.19.1.1", ADDRESS).replace("    port: 2222", f"    port: {free_port()}")
    if startup_config:
        line = "    load_balance: src-mac"
        text = text.replace(line, f"{line}\n    startup_config: {startup_config}")
    path = folder / "twin.yml"
    path.write_text(text)
    inv = parse_inventory(text, str(path))
    return inv


class IosOnly:
    """A Twin with only its IOS face up."""

    def __init__(self, inventory: Inventory, state_dir: Path) -> None:
        self.twin = Twin(inventory, state_dir)
        threading.Thread(target=self.twin.loop.run_forever, daemon=True).start()
        self.face = IosFace(self.twin)
        self.face.start()
        self.lab, self.switch = self.twin.lab, inventory.switches[0]

    def connect(self, **overrides):
        sw = self.switch
        args = dict(
            device_type="cisco_ios",
            host=str(sw.address),
            port=sw.port,
            username=sw.credentials.username,
            password=sw.credentials.password.reveal(),
            secret=sw.credentials.enable_secret.reveal(),
            timeout=10,
            conn_timeout=10,
        )
        return ConnectHandler(**{**args, **overrides})

    def stop(self) -> None:
        self.face.stop()
        self.twin.loop.call_soon_threadsafe(self.twin.loop.stop)


@pytest.fixture(scope="module")
def ios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IosOnly]:
    folder = tmp_path_factory.mktemp("ios")
    face = IosOnly(inventory_copy(folder), folder / "state")
    yield face
    face.stop()


@pytest.fixture(scope="module")
def conn(ios: IosOnly):
    connection = ios.connect()
    connection.enable()
    yield connection
    connection.disconnect()


# -- netmiko against the face ---------------------------------------------------------------------
def test_login_counts_and_enable_gives_privileged_prompt(ios, conn):
    assert conn.find_prompt() == "Cisco-Stack#"
    assert ios.lab.counters["ssh.login.cisco-stack"] >= 1


SHOW = [
    "show version",
    "show switch",
    "show vlan",
    "show vlan brief",
    "show interfaces",
    "show interfaces Po1",
    "show interfaces status",
    "show interfaces switchport",
    "show interfaces trunk",
    "show etherchannel summary",
    "show etherchannel load-balance",
    "show lacp neighbor",
    "show system mtu",
    "show ip interface brief",
    "show running-config interface Gi1/0/13",
]


@pytest.mark.parametrize("command", SHOW)
def test_show_command_parses_through_netmiko(conn, command):
    template = own_template(command)
    rows = conn.send_command(command, use_textfsm=True, textfsm_template=str(template) if template else None)
    assert isinstance(rows, list) and rows, f"{command}: no parsed rows"


def test_send_config_set_changes_the_model(ios, conn):
    conn.send_config_set(
        ["vlan 40", "name Test-VLAN", "interface range port-channel 1-2", "switchport trunk allowed vlan add 40"]
    )
    try:
        stack = ios.lab.switches["cisco-stack"]
        assert stack.vlans[40].name == "Test-VLAN"
        # A Port-channel's config reaches its members, so they stay bundled.
        assert 40 in stack.interface("Gi2/0/14").allowed_vlans
        assert [m.flag for m in port_channel_state(ios.lab, stack, 2).members] == ["P", "P"]
    finally:
        conn.send_config_set(["no vlan 40", "interface range Po1 - 2", "switchport trunk allowed vlan remove 40"])


def test_member_shutdown_drops_links_up_on_the_host(ios, conn):
    assert bond_links_up(ios.lab, "xen1") == 2
    conn.send_config_set(["interface Gi2/0/13", "shutdown"])
    try:
        assert bond_links_up(ios.lab, "xen1") == 1
        rows = conn.send_command("show etherchannel summary", use_textfsm=True)
        assert dict(zip(rows[0]["member_interface"], rows[0]["member_interface_status"], strict=True)) == {
            "Gi1/0/13": "P",
            "Gi2/0/13": "D",
        }
    finally:
        conn.send_config_set(["interface Gi2/0/13", "no shutdown"])
    assert bond_links_up(ios.lab, "xen1") == 2


def test_invalid_input_has_a_caret_under_the_word(conn):
    out = conn.send_command("show etherchannel bogus")
    assert out.splitlines()[-2:] == [
        " " * len("Cisco-Stack#show etherchannel ") + "^",
        "% Invalid input detected at '^' marker.",
    ]


def test_exec_request_runs_one_command(ios):
    sw = ios.switch
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        str(sw.address),
        sw.port,
        sw.credentials.username,
        sw.credentials.password.reveal(),
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    try:
        _, stdout, _ = client.exec_command("show system mtu", timeout=10)
        assert "Global Ethernet MTU is 9198 bytes." in stdout.read().decode()
    finally:
        client.close()


# -- xenlab's client: clear errors, fast -----------------------------------------------------------
def _with_credentials(switch, **changes):
    creds = switch.credentials.model_copy(update=changes)
    return switch.model_copy(update={"credentials": creds, "timeout_s": 5})


def test_wrong_password_is_one_login_error(ios):
    sw = _with_credentials(ios.switch, password=Secret("not-the-password"))
    with pytest.raises(LoginFailed, match=r"^cisco-stack \(127\.24\.1\.1:\d+\): login failed for user 'admin'$"):
        SwitchClient(sw).connect()


def test_wrong_enable_secret_is_one_login_error(ios):
    sw = _with_credentials(ios.switch, enable_secret=Secret("not-the-secret"))
    with pytest.raises(LoginFailed, match=r"enable failed"):
        SwitchClient(sw).connect()


def test_nothing_listening_is_unreachable_fast(ios):
    sw = ios.switch.model_copy(update={"port": free_port(), "timeout_s": 3})
    started = time.monotonic()
    with pytest.raises(Unreachable, match=r"^cisco-stack \(127\.24\.1\.1:\d+\): "):
        SwitchClient(sw).connect()
    assert time.monotonic() - started < 10


# -- booting from a saved running-config -----------------------------------------------------------
def test_boot_from_saved_running_config_reproduces_it(ios, conn, tmp_path):
    conn.send_config_set(
        [
            "interface Gi1/0/5",
            "description rehearsal",
            "switchport access vlan 30",
            "switchport mode access",
            "vlan 20",
            "mtu 9000",
        ]
    )
    try:
        saved = conn.send_command("show running-config")
    finally:
        conn.send_config_set(
            [
                "interface Gi1/0/5",
                "no description",
                "no switchport access vlan",
                "no switchport mode",
                "vlan 20",
                "no mtu",
            ]
        )
    (tmp_path / "saved.cfg").write_text(saved)
    rebooted = Twin(inventory_copy(tmp_path, "saved.cfg"), tmp_path / "state")
    assert show_running_config(rebooted.lab.switches["cisco-stack"]).strip() == saved.strip()
    assert "switchport access vlan 30" in saved and " mtu 9000" in saved


# -- the CLI's modes and Catalyst rules, without SSH -----------------------------------------------
@pytest.fixture
def cli(tmp_path) -> IosCli:
    from simlab.model.build import build_lab

    lab = build_lab(inventory_copy(tmp_path))
    shell = IosCli(lab, lab.switches["cisco-stack"], "secret")
    for line in ["enable", "secret"]:
        shell.feed(line)
    return shell


def run(cli: IosCli, *lines: str) -> list[tuple[str, str]]:
    """(prompt before, output) for each line."""
    out = []
    for line in lines:
        out.append((cli.prompt(), cli.feed(line)))
    return out


def test_modes_and_abbreviations(cli):
    steps = run(cli, "conf t", "int range Gi1/0/13 - 14, Gi2/0/13 - 14", "exit", "vlan 20", "int po1", "end", "sh ver")
    assert [p for p, _ in steps] == [
        "Cisco-Stack#",
        "Cisco-Stack(config)#",
        "Cisco-Stack(config-if-range)#",
        "Cisco-Stack(config)#",
        "Cisco-Stack(config-vlan)#",
        "Cisco-Stack(config-if)#",
        "Cisco-Stack#",
    ]
    assert "Cisco IOS XE Software" in steps[-1][1]


def test_do_runs_exec_commands_in_config_mode(cli):
    steps = run(cli, "conf t", "do sh run int po1")
    assert steps[1][0] == "Cisco-Stack(config)#" and "interface Port-channel1" in steps[1][1]


def test_member_only_change_suspends_it(cli):
    run(cli, "conf t", "interface Gi2/0/13", "switchport trunk allowed vlan remove 30", "end")
    state = port_channel_state(cli.lab, cli.stack, 1)
    assert [(m.port, m.flag) for m in state.members] == [("Gi1/0/13", "P"), ("Gi2/0/13", "s")]


def test_channel_group_creates_the_port_channel_with_the_members_settings(cli):
    run(
        cli,
        "conf t",
        "interface Gi1/0/5",
        "switchport mode trunk",
        "switchport trunk native vlan 10",
        "channel-group 7 mode active",
        "end",
    )
    po = cli.stack.port_channel(7)
    assert po is not None and (po.switchport_mode, po.native_vlan) == ("trunk", 10)


def test_vlan_mtu_is_the_database_only_system_mtu_is_the_switch(cli):
    run(cli, "conf t", "vlan 20", "mtu 1500", "exit", "system mtu 1500", "end")
    assert cli.stack.vlans[20].mtu == 1500 and cli.stack.system_mtu == 1500
    assert "Global Ethernet MTU is 1500 bytes." in cli.feed("show system mtu")


def test_no_forms_and_wrong_words(cli):
    steps = run(cli, "conf t", "no vlan 30", "interface Gi9/0/1", "end")
    assert 30 not in cli.stack.vlans
    assert steps[2][1] == " " * len("Cisco-Stack(config)#interface ") + "^\n% Invalid input detected at '^' marker.\n\n"


def test_enable_needs_the_secret(tmp_path):
    from simlab.model.build import build_lab

    lab = build_lab(inventory_copy(tmp_path))
    shell = IosCli(lab, lab.switches["cisco-stack"], "secret")
    assert shell.feed("enable") == "" and shell.prompt() == "Password: " and not shell.echo
    for _ in range(3):
        out = shell.feed("wrong")
    assert out == "% Bad secrets\n\n" and shell.prompt() == "Cisco-Stack>"


def test_boot_keeps_what_the_model_does_not_know(tmp_path):
    """A running-config saved from a real stack: modelled lines are parsed, the rest kept verbatim."""
    (tmp_path / "saved.cfg").write_text(
        (Path(__file__).parent / "data" / "ios" / "workshop_running_config.txt").read_text()
    )
    stack = Twin(inventory_copy(tmp_path, "saved.cfg"), tmp_path / "state").lab.switches["cisco-stack"]
    assert stack.members_of(1)[0].name == "GigabitEthernet1/0/13" and stack.vlans[20].name == "Storage-VLAN"
    assert stack.interfaces["GigabitEthernet1/0/1"].extra == ["spanning-tree portfast"]
    config = show_running_config(stack)
    for kept in [
        "service timestamps log datetime msec",
        "vrf definition Mgmt-vrf",
        " exit-address-family",
        "interface GigabitEthernet0/0\n vrf forwarding Mgmt-vrf",
        "spanning-tree mode rapid-pvst",
        "banner motd ^C\nAuthorised access only.\n^C",
        "line vty 0 4\n login local",
        "interface Vlan1\n no ip address\n shutdown",
    ]:
        assert kept in config
    # Rendering what was booted and booting it again changes nothing.
    (tmp_path / "again.cfg").write_text(config)
    again = Twin(inventory_copy(tmp_path, "again.cfg"), tmp_path / "state2").lab.switches["cisco-stack"]
    assert show_running_config(again) == config
