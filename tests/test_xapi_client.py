"""xenlab's XenAPI client: master discovery, bounded timeouts, one clear error, facts in one call per class."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simlab.tls import Authority
from tests.harness import TWIN_INVENTORY
from tests.test_xapi_face import FaceTwin, start_face_twin
from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory import load_inventory
from xenlab.xapi import collect_facts, connect
from xenlab.xapi.facts import CLASSES, XapiFacts
from xenlab.xapi.objects import PBD

TWINS_HOLD = "xapi-faces"  # face twins on subnets of their own (tests/conftest.py)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaceTwin]:
    started = start_face_twin(tmp_path_factory.mktemp("xapi-client"), "6")
    yield started
    started.face.stop()


@pytest.fixture
def master_xen2(lab: FaceTwin) -> Iterator[None]:
    lab.twin.lab.pool.master = "xen2"
    lab.twin.lab.changed()
    yield
    lab.twin.lab.pool.master = "xen1"
    lab.twin.lab.changed()


@pytest.fixture
def xen1_off(lab: FaceTwin) -> Iterator[None]:
    lab.twin.lab.hosts["xen1"].powered = False
    lab.twin.lab.changed()
    yield
    lab.twin.lab.hosts["xen1"].powered = True
    lab.twin.lab.changed()


def test_connects_to_the_master(lab: FaceTwin) -> None:
    with connect(lab.inventory) as session:
        assert session.url == lab.url("xen1")
        assert session.xenapi.pool.get_name_label(session.xenapi.pool.get_all()[0]) == "lab"


def test_follows_host_is_slave_to_the_master(lab: FaceTwin, master_xen2: None) -> None:
    with connect(lab.inventory) as session:
        assert session.url == lab.url("xen2")


def test_tries_the_other_hosts_when_one_does_not_answer(lab: FaceTwin, master_xen2: None, xen1_off: None) -> None:
    with connect(lab.inventory) as session:
        assert session.url == lab.url("xen2")


def test_a_dead_master_is_one_clear_error_naming_what_was_tried(lab: FaceTwin, xen1_off: None) -> None:
    with pytest.raises(Unreachable) as caught:
        connect(lab.inventory)
    message = str(caught.value)
    assert message.startswith("pool lab: no XenAPI master answered")
    assert f"{lab.url('xen1')}: connection refused" in message
    assert f"{lab.url('xen2')}: slave of 127.19.6.11" in message


def test_logout_at_the_end(lab: FaceTwin) -> None:
    sessions = lab.face.dispatcher.sessions
    with connect(lab.inventory):
        assert len(sessions) == 1
    assert not sessions


def test_wrong_password_is_a_login_error(lab: FaceTwin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XEN_PASSWORD", "not-the-password")
    with pytest.raises(LoginFailed, match="refused the login as root"):
        connect(lab.inventory)


def test_tls_is_verified_against_the_inventory_ca(lab: FaceTwin, tmp_path: Path) -> None:
    other = start_other_ca(lab, tmp_path)
    with pytest.raises(Unreachable, match="TLS verification failed"):
        connect(other)


def start_other_ca(lab: FaceTwin, tmp_path: Path):  # -> Inventory trusting a CA that did not sign the twin
    text = Path(lab.inventory.source).read_text().replace(str(lab.ca), str(tmp_path / "other-ca.pem"))
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    inventory = load_inventory(path)
    Authority(inventory, tmp_path / "state")
    return inventory


def test_a_missing_ca_file_is_one_clear_error(lab: FaceTwin, tmp_path: Path) -> None:
    text = Path(lab.inventory.source).read_text().replace(str(lab.ca), str(tmp_path / "absent.pem"))
    (tmp_path / "inventory.yml").write_text(text)
    with pytest.raises(DeviceError, match="absent.pem does not exist"):
        connect(load_inventory(tmp_path / "inventory.yml"))


def test_an_unresponsive_endpoint_times_out(tmp_path: Path) -> None:
    """A host that accepts the connection and never answers: the bounded timeout, then one error."""
    with socket.socket() as silent:
        silent.bind(("127.19.8.11", 0))
        silent.listen(8)  # the kernel completes the TCP handshake; nobody ever reads or writes
        port = silent.getsockname()[1]
        text = TWIN_INVENTORY.read_text()
        text = text.replace("https://127.19.0.11:8443/", f"https://127.19.8.11:{port}/")
        text = text.replace("https://127.19.0.12:8443/", f"https://127.19.8.11:{port}/")
        text = text.replace("  auto_poweron: true\n", "  auto_poweron: true\n  timeout_s: 0.3\n", 1)
        text = text.replace("ca_file: ../../.simlab/xltest/ca.pem", f"ca_file: {tmp_path}/ca.pem")
        (tmp_path / "inventory.yml").write_text(text)
        inventory = load_inventory(tmp_path / "inventory.yml")
        Authority(inventory, tmp_path / "state")
        with pytest.raises(
            Unreachable,
            match=r"within 0\.\ds \(each host asked for up to 0.3s\); tried .*: "
            r"no answer \(timed out\)",
        ):
            connect(inventory)


def test_facts_take_one_call_per_class(lab: FaceTwin) -> None:
    counters = lab.twin.lab.counters
    with connect(lab.inventory) as session:
        before = dict(counters)
        facts = collect_facts(session)
        calls = {k: v - before.get(k, 0) for k, v in counters.items() if v != before.get(k, 0)}
    assert calls == {"xapi.call": len(CLASSES), **{f"xapi.{c}.get_all_records": 1 for c in CLASSES}}
    assert set(facts.hosts) == {"xen1", "xen2"}
    assert set(facts.vms) == {v.name for v in lab.inventory.vms}  # no control domains
    assert facts.pool.master.name == "xen1"
    xen1 = facts.host("xen1")
    assert xen1.live is True
    (bond,) = xen1.bonds
    assert bond.slave_devices == ["eth0", "eth1"]
    assert bond.device == "bond0" and bond.host.name == "xen1"
    storage = xen1.pif_on("Storage")
    assert (storage.mtu, storage.vlan, storage.host_name) == (9000, 20, "xen1")
    assert xen1.pif_on("Management").vlan is None  # untagged: no -1 sentinel
    vm = facts.vm(lab.inventory.vms[0].name)
    assert vm.resident_on == lab.inventory.vms[0].host
    sr = facts.sr("Shared iSCSI")
    assert {p.host_name for p in sr.pbds} == {"xen1", "xen2"} and all(p.sr is sr for p in sr.pbds)


def test_facts_are_json_without_secrets(lab: FaceTwin) -> None:
    with connect(lab.inventory) as session:
        facts = collect_facts(session)
    text = json.dumps(facts.as_dict())
    assert XapiFacts.from_dict(json.loads(text)).records == facts.records
    configs = [p.device_config for p in facts.all(PBD).values()]
    # PBDs name their CHAP secret by uuid; the secret's value is never collected.
    assert any("chappassword_secret" in c for c in configs)
    assert facts.records["secret"] and {r["value"] for r in facts.records["secret"].values()} == {"***"}
    assert lab.inventory.pool.credentials.password.reveal() not in text
    assert lab.inventory.storage.chap.password.reveal() not in text


def test_hosts_are_asked_overlapping_and_the_error_says_the_real_total(tmp_path: Path) -> None:
    """Two hosts that never answer: one error after about one timeout_s (not one per host), saying how long."""
    with socket.socket() as one, socket.socket() as two:
        for sock, address in ((one, "127.19.8.11"), (two, "127.19.8.12")):
            sock.bind((address, 0))
            sock.listen(8)
        text = (Path(__file__).parent / "inventories" / "twin.yml").read_text()
        text = text.replace("https://127.19.0.11:8443/", f"https://127.19.8.11:{one.getsockname()[1]}/")
        text = text.replace("https://127.19.0.12:8443/", f"https://127.19.8.12:{two.getsockname()[1]}/")
        text = text.replace("  auto_poweron: true\n", "  auto_poweron: true\n  timeout_s: 1\n", 1)
        text = text.replace("ca_file: ../../.simlab/xltest/ca.pem", f"ca_file: {tmp_path}/ca.pem")
        (tmp_path / "inventory.yml").write_text(text)
        inventory = load_inventory(tmp_path / "inventory.yml")
        Authority(inventory, tmp_path / "state")
        started = time.monotonic()
        with pytest.raises(Unreachable) as caught:
            connect(inventory)
        elapsed = time.monotonic() - started
        # The second host is asked 0.25 s after the first (timeout_s / 4) while the first still waits.
        assert elapsed < 1.9, f"{elapsed:.1f}s: the hosts were asked one after the other"
        match = re.search(
            r"within (\d+\.\d)s \(each host asked for up to 1s\); tried .*8\.1[12].*: no answer "
            r".*8\.1[12].*: no answer",
            str(caught.value),
        )
        assert match, str(caught.value)
        assert abs(float(match.group(1)) - elapsed) < 0.2, "the message does not say how long it took"
