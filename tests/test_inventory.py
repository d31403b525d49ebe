"""A bad inventory stops the run with one line: ``<file>: <field.path>: <problem>``.

Most malformed inventories are the valid twin inventory with one change (the MUTATIONS
table), so each case shows exactly what is wrong. Files YAML cannot parse live in
``tests/inventories/bad/``; their first line says the message they must give.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from xenlab.inventory import Inventory, InventoryError, Secret, load_inventory, redact
from xenlab.inventory.secrets import SecretError

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "inventory" / "simlab.yml"
BAD_FILES = sorted((ROOT / "tests" / "inventories" / "bad").glob("*.yml"))
DELETE = object()
UNSET = "${XENLAB_TEST_UNSET}"
# Never set anywhere, so the secret rules see an unset variable whatever the CI exports.
ENV: dict[str, str] = {}


def _keys(path: str) -> list[str | int]:
    return [int(k) if k.isdigit() else k for k in path.replace("]", "").replace("[", ".").split(".")]


def mutate(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A copy of ``data`` with ``path`` (``a.b[0].c``) set to ``value``, appended, or deleted."""
    data = copy.deepcopy(data)
    *parents, last = _keys(path)
    node: Any = data
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return data


def _case(path: str, value: object, message: str, case_id: str) -> Any:
    return pytest.param(path, value, message, id=case_id)


# (path to change, new value or DELETE, the message after "<file>: ")
MUTATIONS = [
    # missing fields
    _case("lab.name", DELETE, "lab.name: required field is missing", "missing-lab-name"),
    _case("pool.hosts[0].address", DELETE, "pool.hosts[0].address: required field is missing", "missing-host-address"),
    _case(
        "switches[0].port_channels[0].peer",
        DELETE,
        "switches[0].port_channels[0].peer: required field is missing",
        "missing-port-channel-peer",
    ),
    # wrong types
    _case("networks[0].vlan", "five", "networks[0].vlan: expected an integer, got a string", "vlan-not-int"),
    _case("networks[0].vlan", True, "networks[0].vlan: expected an integer, got a boolean", "vlan-true-is-not-1"),
    _case(
        "switches[0].port_channels[0].allowed_vlans[0]",
        False,
        "switches[0].port_channels[0].allowed_vlans[0]: expected an integer, got a boolean",
        "allowed-vlan-bool",
    ),
    _case("pool.auto_poweron", 1, "pool.auto_poweron: expected true or false, got a number", "bool-not-int"),
    _case("lab.name", 2024, "lab.name: expected a string, got a number", "name-not-string"),
    _case("pool.hosts", "xen1", "pool.hosts: Input should be a valid list", "hosts-not-list"),
    _case("pool.tls.verify", "maybe", "pool.tls.verify: expected true or false, got a string", "verify-not-bool"),
    _case("lab.kind", "virtual", "lab.kind: Input should be 'real' or 'simulated'", "kind-not-enum"),
    _case(
        "vms[0]", "CentOS6.5-test1", "vms[0]: Input should be a valid dictionary or instance of VM", "vm-not-mapping"
    ),
    # a literal number as a password: the message must not echo it
    _case(
        "pool.credentials.password",
        987654321,
        "pool.credentials.password: expected a secret reference such as ${XEN_PASSWORD}",
        "password-not-string",
    ),
    # unknown keys
    _case("lab.colour", "blue", "lab.colour: unknown key", "unknown-key-lab"),
    _case("pool.hosts[0].nic", ["eth0"], "pool.hosts[0].nic: unknown key", "unknown-key-host-typo"),
    _case("vm", [], "vm: unknown key", "unknown-key-top-level"),
    # undefined secret variables
    _case(
        "pool.credentials.password",
        UNSET,
        "pool.credentials.password: environment variable XENLAB_TEST_UNSET is not set",
        "secret-unset-pool",
    ),
    _case(
        "switches[0].credentials.enable_secret",
        UNSET,
        "switches[0].credentials.enable_secret: environment variable XENLAB_TEST_UNSET is not set",
        "secret-unset-enable",
    ),
    _case(
        "storage.chap.password",
        UNSET,
        "storage.chap.password: environment variable XENLAB_TEST_UNSET is not set",
        "secret-unset-chap",
    ),
    # port-channel members
    _case(
        "switches[0].port_channels[0].members[1]",
        "Gi3/0/13",
        "switches[0].port_channels[0].members[1]: Gi3/0/13 is on stack member 3, which cisco-stack does not have "
        "(members: 1, 2)",
        "member-on-missing-stack-member",
    ),
    _case(
        "switches[0].members",
        [1],
        "switches[0].port_channels[0].members[1]: Gi2/0/13 is on stack member 2, which cisco-stack does not have "
        "(members: 1)",
        "stack-shrunk-under-members",
    ),
    _case(
        "switches[0].port_channels[0].members[1]",
        "Gi2/0/30",
        "switches[0].port_channels[0].members[1]: Gi2/0/30: cisco-stack has 24 ports a member",
        "member-port-range",
    ),
    _case(
        "switches[0].port_channels[0].members[1]",
        "Po1",
        "switches[0].port_channels[0].members[1]: Po1 is not a physical port such as Gi1/0/13",
        "member-is-po",
    ),
    # VLANs the switch does not define
    _case(
        "networks[3].vlan",
        40,
        "networks[3].vlan: VLAN 40 (Data) is not defined on switch cisco-stack",
        "network-vlan-not-on-switch",
    ),
    _case(
        "switches[0].port_channels[0].allowed_vlans[4]",
        99,
        "switches[0].port_channels[0].allowed_vlans[4]: VLAN 99 is not defined on cisco-stack",
        "allowed-vlan-undefined",
    ),
    _case(
        "switches[0].port_channels[1].native_vlan",
        99,
        "switches[0].port_channels[1].native_vlan: VLAN 99 is not defined on cisco-stack",
        "native-vlan-undefined",
    ),
    # duplicate names
    _case(
        "pool.hosts[1].name",
        "xen1",
        "pool.hosts[1].name: duplicate host name 'xen1' (first at pool.hosts[0].name)",
        "duplicate-host",
    ),
    _case(
        "pool.hosts[1].address",
        "127.18.0.11",
        "pool.hosts[1].address: duplicate host address 127.18.0.11 (first at pool.hosts[0].address)",
        "duplicate-host-address",
    ),
    _case(
        "vms[3].name",
        "CentOS6.5-test1",
        "vms[3].name: duplicate VM name 'CentOS6.5-test1' (first at vms[0].name)",
        "duplicate-vm",
    ),
    _case(
        "networks[1].name",
        "Management",
        "networks[1].name: duplicate network name 'Management' (first at networks[0].name)",
        "duplicate-network",
    ),
    _case(
        "networks[1].vlan",
        5,
        "networks[1].vlan: duplicate network VLAN 5 (first at networks[0].vlan)",
        "duplicate-network-vlan",
    ),
    _case(
        "switches[0].vlans[4]",
        {"id": 30, "name": "Data-again"},
        "switches[0].vlans[4].id: duplicate VLAN 30 (first at switches[0].vlans[3].id)",
        "duplicate-switch-vlan",
    ),
    _case(
        "switches[0].port_channels[1].id",
        1,
        "switches[0].port_channels[1].id: duplicate port-channel 1 (first at switches[0].port_channels[0].id)",
        "duplicate-port-channel",
    ),
    _case(
        "switches[0].port_channels[1].members[0]",
        "GigabitEthernet1/0/13",
        "switches[0].port_channels[1].members[0]: duplicate member port 'Gi1/0/13' "
        "(first at switches[0].port_channels[0].members[0])",
        "duplicate-member-across-port-channels",
    ),
    _case(
        "srs[1].name",
        "Shared iSCSI",
        "srs[1].name: duplicate SR name 'Shared iSCSI' (first at srs[0].name)",
        "duplicate-sr",
    ),
    # references to things that do not exist
    _case("vms[0].host", "xen3", "vms[0].host: host 'xen3' is not in pool.hosts", "vm-on-missing-host"),
    _case("vms[0].network", "Backup", "vms[0].network: network 'Backup' is not in networks", "vm-on-missing-network"),
    _case(
        "switches[0].port_channels[2].peer",
        "nas",
        "switches[0].port_channels[2].peer: 'nas' is neither a pool host nor the storage server",
        "peer-unknown",
    ),
    _case(
        "pool.hosts[0].addresses.Backup",
        "198.18.40.11",
        "pool.hosts[0].addresses.Backup: network 'Backup' is not in networks",
        "host-address-missing-network",
    ),
    _case("storage.network", "SAN", "storage.network: network 'SAN' is not in networks", "storage-missing-network"),
    _case(
        "probe.interfaces[0].network",
        "Backup",
        "probe.interfaces[0].network: network 'Backup' is not in networks",
        "probe-missing-network",
    ),
    # storage and HA
    _case("srs[1].shared", False, "ha.heartbeat_sr: SR 'HeartBeat SR' is not shared", "heartbeat-not-shared"),
    _case("ha.heartbeat_sr", "Quorum SR", "ha.heartbeat_sr: SR 'Quorum SR' is not in srs", "heartbeat-undefined"),
    _case(
        "ha.heartbeat_sr", DELETE, "ha.heartbeat_sr: HA is enabled but no heartbeat SR is named", "heartbeat-unnamed"
    ),
    _case("ha.failures_to_tolerate", 2, "ha.failures_to_tolerate: 2 >= the pool's 2 hosts", "ha-tolerates-all"),
    _case(
        "srs[0].iqn",
        "iqn.2006-01.com.openfiler:tsn.other",
        "srs[0].iqn: iqn.2006-01.com.openfiler:tsn.other is not a target of storage openfiler",
        "iqn-not-a-target",
    ),
    _case("srs[0].target", DELETE, "srs[0].target: an lvmoiscsi SR needs target", "iscsi-sr-without-target"),
    _case(
        "storage.targets[0].iqn",
        "openfiler-shared",
        "storage.targets[0].iqn: expected an IQN such as iqn.2006-01.com.openfiler:tsn.shared",
        "iqn-malformed",
    ),
    _case("srs[2].type", "nfs", "srs[2].type: an SR with role iso must have type iso", "iso-role-not-iso"),
    # MTU, bond NICs, addresses, ranges
    _case(
        "networks[2].mtu",
        9216,
        "networks[2].mtu: Storage MTU 9216 is above cisco-stack system_mtu 9198",
        "mtu-above-system-mtu",
    ),
    _case("bond.nics[1]", "eth2", "bond.nics[1]: host xen1 has no NIC 'eth2' (it has eth0, eth1)", "bond-nic-missing"),
    _case(
        "pool.hosts[1].nics",
        ["eth0"],
        "bond.nics[1]: host xen2 has no NIC 'eth1' (it has eth0)",
        "bond-nic-missing-on-one-host",
    ),
    _case(
        "pool.hosts[0].address",
        "127.18.0.300",
        "pool.hosts[0].address: Input is not a valid IPv4 address",
        "bad-host-ip",
    ),
    _case("vms[0].address", "not-an-ip", "vms[0].address: Input is not a valid IPv4 address", "bad-vm-ip"),
    _case("storage.portal", "198.18.20", "storage.portal: Input is not a valid IPv4 address", "bad-portal-ip"),
    _case("networks[0].vlan", 4095, "networks[0].vlan: Input should be less than or equal to 4094", "vlan-above-4094"),
    _case(
        "switches[0].vlans[0].id",
        0,
        "switches[0].vlans[0].id: Input should be greater than or equal to 1",
        "switch-vlan-zero",
    ),
    _case(
        "pool.hosts[0].ssh_port",
        70000,
        "pool.hosts[0].ssh_port: Input should be less than or equal to 65535",
        "port-out-of-range",
    ),
    _case("networks", [], "networks: List should have at least 1 item after validation, not 0", "no-networks"),
    # names the kernel and the file system must accept
    _case(
        "probe.interfaces[0].interface",
        "probe-management",
        "probe.interfaces[0].interface: interface name 'probe-management' has 16 characters; Linux allows 1 to 15",
        "interface-name-too-long",
    ),
    _case(
        "pool.hosts[0].nics[1]",
        "eth/1",
        "pool.hosts[0].nics[1]: interface name 'eth/1' may not contain '/', ':' or spaces",
        "interface-name-slash",
    ),
    _case(
        "pool.hosts[1].name",
        "XEN1",
        "pool.hosts[1].name: host name 'XEN1' differs from 'xen1' (pool.hosts[0].name) only in case",
        "host-names-equal-but-for-case",
    ),
    _case(
        "lab.name",
        "../escape",
        "lab.name: lab name '../escape' must be 1-64 letters, digits, '-', '_' or '.', start with a letter or "
        "digit, and not contain '..'",
        "lab-name-dotdot",
    ),
    _case(
        "lab.name",
        "a/b",
        "lab.name: lab name 'a/b' must be 1-64 letters, digits, '-', '_' or '.', start with a letter or "
        "digit, and not contain '..'",
        "lab-name-slash",
    ),
    _case(
        "probe.netns",
        "ns/../x",
        "probe.netns: namespace name 'ns/../x' must be 1-64 letters, digits, '-', '_' or '.', start with a letter "
        "or digit, and not contain '..'",
        "netns-name-slash",
    ),
    # addresses outside their network
    _case(
        "pool.hosts[0].addresses.Storage",
        "198.18.21.11",
        "pool.hosts[0].addresses.Storage: 198.18.21.11 is outside Storage's subnet 198.18.20.0/24",
        "host-address-outside-subnet",
    ),
    _case(
        "networks[3].gateway",
        "198.18.31.254",
        "networks[3].gateway: 198.18.31.254 is outside Data's subnet 198.18.30.0/24",
        "gateway-outside-subnet",
    ),
    _case(
        "vms[2].address",
        "198.18.5.103",
        "vms[2].address: 198.18.5.103 is outside Data's subnet 198.18.30.0/24",
        "vm-address-outside-subnet",
    ),
    _case(
        "probe.interfaces[0].address",
        "198.18.6.200",
        "probe.interfaces[0].address: 198.18.6.200 is outside Management's subnet 198.18.5.0/24",
        "probe-address-outside-subnet",
    ),
    # switching
    _case(
        "switches[0].port_channels[2].native_vlan",
        30,
        "switches[0].port_channels[2].native_vlan: native VLAN 30 is not in allowed_vlans of Po3",
        "native-vlan-not-allowed",
    ),
    _case(
        "switches[0].port_channels[0].allowed_vlans",
        [10, 20, 30],
        "switches[0].port_channels[0].native_vlan: native VLAN 5 is not in allowed_vlans of Po1",
        "allowed-vlans-drop-native",
    ),
    _case(
        "switches[0].port_channels[1].peer",
        "openfiler",
        "pool.hosts[1]: host xen2 is the peer of no port-channel on any switch",
        "host-without-port-channel",
    ),
    _case(
        "switches[0].port_channels[0].members",
        [f"Gi{m}/0/{p}" for m in (1, 2) for p in (1, 2, 3, 4, 5)],
        "switches[0].port_channels[0].members: 10 members; LACP bundles at most 8 active members in Po1",
        "lacp-more-than-8-members",
    ),
    # storage
    _case(
        "storage.mtu",
        9198,
        "storage.mtu: 9198 is above the MTU of its network Storage (9000)",
        "storage-mtu-above-network",
    ),
    _case(
        "srs[0].target",
        "198.18.20.11",
        "srs[0].target: 198.18.20.11 is not the storage portal 198.18.20.10 (storage.portal)",
        "sr-target-not-portal",
    ),
    # XenAPI URL
    _case(
        "pool.hosts[0].xapi_url",
        "http://127.18.0.11:8443/",
        "pool.hosts[0].xapi_url: 'http://127.18.0.11:8443/' is not an https URL such as https://192.0.2.11/",
        "xapi-url-not-https",
    ),
    _case(
        "pool.hosts[0].xapi_url",
        "127.18.0.11:8443",
        "pool.hosts[0].xapi_url: '127.18.0.11:8443' is not an https URL such as https://192.0.2.11/",
        "xapi-url-no-scheme",
    ),
    _case(
        "pool.hosts[0].xapi_url",
        "https://127.18.0.11:84430/",
        "pool.hosts[0].xapi_url: 'https://127.18.0.11:84430/' has an invalid port",
        "xapi-url-bad-port",
    ),
]


@pytest.fixture(scope="module")
def valid() -> dict[str, Any]:
    return yaml.safe_load(VALID.read_text(encoding="utf-8"))


def _error(path: Path | str, env: dict[str, str] | None = None) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        load_inventory(path, env=ENV if env is None else env)
    return info.value


def _assert_one_clean_line(err: InventoryError) -> None:
    text = str(err)
    assert "\n" not in text and "Traceback" not in text, text
    # Raised "from None": nothing chained for a traceback printer to show.
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__), text


def test_valid_inventory_loads() -> None:
    inventory = load_inventory(VALID, env=ENV)
    assert inventory.lab.name == "workshop"
    assert [h.name for h in inventory.pool.hosts] == ["xen1", "xen2"]


def test_mutations_are_many_and_distinct() -> None:
    ids = [case.id for case in MUTATIONS]
    assert len(ids) == len(set(ids)) and len(ids) >= 20


@pytest.mark.parametrize(("path", "value", "message"), MUTATIONS)
def test_bad_inventory(valid: dict[str, Any], tmp_path: Path, path: str, value: object, message: str) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(mutate(valid, path, value), sort_keys=False), encoding="utf-8")
    err = _error(bad)
    assert str(err) == f"{bad}: {message}"
    assert err.source == str(bad) and err.path == message.split(": ")[0]
    _assert_one_clean_line(err)


def _expected(bad_file: Path, shown_as: str) -> str:
    first = bad_file.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{bad_file.name} must start with '# expect: <message>'"
    return first.removeprefix("# expect: ").replace("{file}", shown_as)


@pytest.mark.parametrize("bad_file", BAD_FILES, ids=[f.stem for f in BAD_FILES])
def test_bad_inventory_file(bad_file: Path) -> None:
    err = _error(bad_file)
    assert str(err) == _expected(bad_file, str(bad_file))
    _assert_one_clean_line(err)


def test_bad_files_cover_yaml_syntax() -> None:
    assert sum(f.stem.startswith("syntax-") for f in BAD_FILES) >= 3


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    err = _error(missing)
    assert str(err) == f"{missing}: cannot read the inventory: No such file or directory"
    _assert_one_clean_line(err)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert str(_error(tmp_path)) == f"{tmp_path}: cannot read the inventory: Is a directory"


@pytest.mark.timeout(10)
def test_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "inventory.yml"
    os.mkfifo(fifo)
    err = _error(fifo)  # a FIFO nobody writes to would block a plain open() forever
    assert str(err) == f"{fifo}: cannot read the inventory: not a regular file (a device, FIFO or socket)"
    _assert_one_clean_line(err)


@pytest.mark.timeout(10)
def test_device_is_refused_at_once() -> None:
    assert str(_error("/dev/zero")) == (
        "/dev/zero: cannot read the inventory: not a regular file (a device, FIFO or socket)"
    )


def test_huge_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yml"
    with open(huge, "wb") as file:
        file.truncate(64 * 1024 * 1024)  # sparse: nothing is written, nothing need be read
    assert str(_error(huge)) == (
        f"{huge}: cannot read the inventory: 67108864 bytes is too large for an inventory (limit 4096 KiB)"
    )


def test_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yml"
    bad.write_bytes("lab:\n  name: café\n".encode("latin-1"))
    err = _error(bad)
    assert str(err) == f"{bad}: not UTF-8 text (byte 0xe9 at offset 16)"
    _assert_one_clean_line(err)


def test_inventory_from_environment_variable(tmp_path: Path) -> None:
    missing = tmp_path / "from-env.yml"
    err = _error(None, env={"XENLAB_INVENTORY": str(missing)})  # type: ignore[arg-type]
    assert str(err).startswith(f"{missing}: ")


# --- secrets -------------------------------------------------------------------------------------------------------


def test_secret_repr_and_str_never_show_the_value() -> None:
    secret = Secret("${XENLAB_T_PW}")
    assert secret.reveal({"XENLAB_T_PW": "s3cret-repr"}) == "s3cret-repr"
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret]), repr({"pw": secret})):
        assert "s3cret-repr" not in shown
        assert "XENLAB_T_PW" in shown  # the reference is what a user needs to see


def test_literal_secret_is_never_shown() -> None:
    secret = Secret("literal-pa55word")
    assert secret.reveal({}) == "literal-pa55word"
    assert "literal-pa55word" not in repr(secret) + str(secret)


def test_secret_default_value() -> None:
    secret = Secret("${XENLAB_T_DEF:-fallback-value}")
    assert secret.variable == "XENLAB_T_DEF"
    assert secret.is_defined({})
    assert secret.reveal({}) == "fallback-value"
    assert secret.reveal({"XENLAB_T_DEF": "from-env"}) == "from-env"
    assert Secret("${XENLAB_T_DEF:-}").reveal({}) == ""


def test_secret_default_is_never_shown() -> None:
    # The default is the value used when the variable is unset, so it is as secret as any value.
    secret = Secret("${XENLAB_T_DEF2:-default-hunter2}")
    assert secret.reveal({}) == "default-hunter2"
    assert "default-hunter2" not in repr(secret) + str(secret)


def test_unset_secret() -> None:
    secret = Secret("${XENLAB_T_UNSET}")
    assert not secret.is_defined({})
    with pytest.raises(SecretError, match="XENLAB_T_UNSET is not set"):
        secret.reveal({})


def test_redact_masks_every_resolved_value() -> None:
    env = {"XENLAB_T_A": "alpha-value-1", "XENLAB_T_B": "alpha-value-1-longer", "XENLAB_T_C": "gamma-value-3"}
    for name in env:
        Secret(f"${{{name}}}").reveal(env)
    text = "login alpha-value-1-longer then alpha-value-1 and gamma-value-3; also extra-word"
    assert redact(text, extra=["extra-word"]) == "login *** then *** and ***; also ***"


def _secret_values(inventory: Inventory) -> dict[str, Secret]:
    switch = inventory.switches[0].credentials
    assert inventory.storage is not None and inventory.storage.chap is not None and switch.enable_secret is not None
    return {
        "XEN_PASSWORD": inventory.pool.credentials.password,
        "SWITCH_PASSWORD": switch.password,
        "SWITCH_ENABLE_SECRET": switch.enable_secret,
        "CHAP_PASSWORD": inventory.storage.chap.password,
    }


def _dumps(inventory: Inventory) -> list[str]:
    return [inventory.model_dump_json(), str(inventory.model_dump()), repr(inventory), str(inventory)]


def test_loaded_inventory_dump_has_no_secret_value() -> None:
    env = {
        "XEN_PASSWORD": "xen-Pw-9f3a",
        "SWITCH_PASSWORD": "sw-Pw-7b21",
        "SWITCH_ENABLE_SECRET": "en-Pw-c4d5",
        "CHAP_PASSWORD": "chap-Pw-e6f7",
    }
    inventory = load_inventory(VALID, env=env)
    secrets = _secret_values(inventory)
    assert {name: s.reveal(env) for name, s in secrets.items()} == env
    for dump in _dumps(inventory):
        for value in env.values():
            assert value not in dump


def test_loaded_inventory_dump_has_no_default_secret_value() -> None:
    # simlab.yml's ${VAR:-default} values are the twin's real passwords when nothing is exported.
    inventory = load_inventory(VALID, env={})
    values = [s.reveal({}) for s in _secret_values(inventory).values()]
    for dump in _dumps(inventory):
        for value in values:
            assert value not in dump


# --- through the command line --------------------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # The child must see only the inventory the test names, not this run's options.
    env = {k: v for k, v in os.environ.items() if k != "XENLAB_INVENTORY" and not k.startswith("PYTEST_")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


CLI_CASES = [
    pytest.param("tests/inventories/bad/syntax-indent.yml", id="syntax-error"),
    pytest.param("tests/inventories/bad/empty.yml", id="empty"),
    pytest.param("tests/inventories/bad/does-not-exist.yml", id="missing-file"),
    pytest.param("tests/inventories/bad/duplicate-lab-block.yml", id="duplicate-key"),
]


@pytest.mark.parametrize("bad", CLI_CASES)
def test_check_inventory_rejects_bad_inventory(bad: str) -> None:
    result = _run("-m", "xenlab.cli", "check-inventory", bad)
    expected = str(_error(ROOT / bad)).replace(str(ROOT / bad), bad)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"xenlab: {expected}"], result.stderr


@pytest.mark.parametrize("bad", CLI_CASES)
def test_simlab_status_rejects_bad_inventory(bad: str) -> None:
    result = _run("-m", "simlab", "status", "--inventory", bad)
    expected = str(_error(ROOT / bad)).replace(str(ROOT / bad), bad)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines() == [f"simlab: {expected}"], result.stderr
    assert result.stdout == ""


def test_simlab_status_rejects_mutated_inventory(valid: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(mutate(valid, "vms[0].host", "xen3"), sort_keys=False), encoding="utf-8")
    result = _run("-m", "simlab", "--inventory", str(bad), "status")
    assert result.returncode != 0
    assert result.stderr.splitlines() == [f"simlab: {bad}: vms[0].host: host 'xen3' is not in pool.hosts"]


@pytest.mark.parametrize("bad", CLI_CASES)
def test_pytest_rejects_bad_inventory_before_any_test(bad: str) -> None:
    result = _run("-m", "pytest", "-p", "no:cacheprovider", "--inventory", bad, "suites/pool")
    expected = str(_error(ROOT / bad)).replace(str(ROOT / bad), bad)
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "Traceback" not in output and "collected" not in output, output
    assert [line for line in output.splitlines() if line.strip()] == [f"ERROR: {expected}"], output


def test_pytest_rejects_mutated_inventory(valid: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    mutated = mutate(valid, "switches[0].port_channels[0].members[1]", "Gi3/0/13")
    bad.write_text(yaml.safe_dump(mutated, sort_keys=False), encoding="utf-8")
    result = _run("-m", "pytest", "-p", "no:cacheprovider", "--inventory", str(bad), "suites/pool")
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert [line for line in output.splitlines() if line.strip()] == [
        f"ERROR: {bad}: switches[0].port_channels[0].members[1]: Gi3/0/13 is on stack member 3, "
        "which cisco-stack does not have (members: 1, 2)"
    ], output
