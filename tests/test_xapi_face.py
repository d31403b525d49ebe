"""The twin's XenAPI face, driven by the PyPI XenAPI client exactly as against a real pool."""

from __future__ import annotations

import ssl
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import XenAPI
import yaml

from simlab.faces import xapi as xapi_face
from simlab.twin import Twin
from tests.harness import TWIN_INVENTORY
from xenlab.inventory import Inventory, load_inventory

TWINS_HOLD = "xapi-faces"  # face twins on subnets of their own (tests/conftest.py)


@dataclass
class FaceTwin:
    twin: Twin
    inventory: Inventory
    ca: Path
    face: xapi_face.XapiFace

    def url(self, host: str) -> str:
        return self.inventory.host(host).url

    def session(self, host: str = "xen1") -> XenAPI.Session:
        context = ssl.create_default_context(cafile=str(self.ca))
        return XenAPI.Session(self.url(host), transport=xmlrpc.client.SafeTransport(context=context))

    def login(self, host: str = "xen1") -> XenAPI.Session:
        session = self.session(host)
        session.xenapi.login_with_password("root", self.inventory.pool.credentials.password.reveal(), "2.21", "t")
        return session


def start_face_twin(tmp: Path, subnet: str, change=lambda data: None) -> FaceTwin:
    """A twin serving only its XenAPI face, for twin.yml moved to 127.19.<subnet>.x (clear of the harness)."""
    data = yaml.safe_load(TWIN_INVENTORY.read_text())
    data["lab"]["name"] = f"xlface{subnet}"
    data["pool"]["tls"]["ca_file"] = str(tmp / "ca.pem")
    for host in data["pool"]["hosts"]:
        host["address"] = host["address"].replace("127.19.0.", f"127.19.{subnet}.")
        host["xapi_url"] = host["xapi_url"].replace("127.19.0.", f"127.19.{subnet}.")
    data["switches"][0]["address"] = f"127.19.{int(subnet) + 1}.1"
    change(data)
    path = tmp / "inventory.yml"
    path.write_text(yaml.safe_dump(data))
    inventory = load_inventory(path)
    twin = Twin(inventory, tmp / "state")
    face = xapi_face.make(twin)
    assert face is not None
    face.start()
    return FaceTwin(twin, inventory, tmp / "ca.pem", face)


def face_twin_fixtures(folder: str, subnet: str) -> tuple[object, object]:
    """A module's ``lab`` (a face twin of its own on 127.19.<subnet>) and ``api`` (a logged-in session's xenapi)
    fixtures: ``lab, api = face_twin_fixtures("xapi-vms", "40")``."""

    @pytest.fixture(scope="module")
    def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaceTwin]:
        started = start_face_twin(tmp_path_factory.mktemp(folder), subnet)
        yield started
        started.face.stop()

    @pytest.fixture
    def api(lab: FaceTwin) -> Iterator[object]:
        session = lab.login()
        yield session.xenapi
        session.xenapi.session.logout()

    return lab, api


lab, api = face_twin_fixtures("xapi-face", "4")


def test_login_over_https_with_the_ca_and_read_the_pool(lab: FaceTwin, api: object) -> None:
    pools = api.pool.get_all_records()
    (pool,) = pools.values()
    assert pool["name_label"] == "lab"
    assert pool["master"].startswith("OpaqueRef:") and api.host.get_name_label(pool["master"]) == "xen1"
    assert pool["ha_host_failures_to_tolerate"] == "1"  # int64 travels as a string
    assert pool["other_config"]["auto_poweron"] == "true"


def test_a_client_without_the_ca_is_refused(lab: FaceTwin) -> None:
    session = XenAPI.Session(lab.url("xen1"))
    with pytest.raises(ssl.SSLCertVerificationError):
        session.xenapi.login_with_password("root", "x", "2.21", "t")


def test_login_to_a_slave_names_the_master(lab: FaceTwin) -> None:
    with pytest.raises(XenAPI.Failure) as caught:
        lab.login("xen2")
    assert caught.value.details == ["HOST_IS_SLAVE", "127.19.4.11"]


def test_wrong_password(lab: FaceTwin) -> None:
    with pytest.raises(XenAPI.Failure) as caught:
        lab.session().xenapi.login_with_password("root", "not-the-password", "2.21", "t")
    assert caught.value.details[0] == "SESSION_AUTHENTICATION_FAILED"


def test_errors_carry_real_codes(api: object) -> None:
    cases = [
        (lambda: api.VM.get_record("OpaqueRef:nope"), ["HANDLE_INVALID", "VM", "OpaqueRef:nope"]),
        # xapi counts parameters without the session (gen_server.ml: parameter_count_mismatch_failure)
        (lambda: api.VM.get_all("extra"), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_all", "0", "1"]),
        (lambda: api.VM.frobnicate(), ["MESSAGE_METHOD_UNKNOWN", "VM.frobnicate"]),
        (lambda: api.VM.get_by_uuid("no-such-uuid"), ["UUID_INVALID", "VM", "no-such-uuid"]),
    ]
    for call, details in cases:
        with pytest.raises(XenAPI.Failure) as caught:
            call()
        assert caught.value.details == details


def test_records_follow_the_datamodel(api: object) -> None:
    hosts = api.host.get_all_records()
    vms = api.VM.get_all_records()
    assert sum(v["is_control_domain"] for v in vms.values()) == len(hosts)
    bond = next(iter(api.Bond.get_all_records().values()))
    assert bond["mode"] == "lacp" and bond["links_up"] == "2"
    assert bond["properties"]["hashing_algorithm"] == "src_mac"
    pif = api.PIF.get_record(bond["slaves"][0])
    assert pif["bond_slave_of"] in api.Bond.get_all() and pif["VLAN"] == "-1"
    assert api.PIF_metrics.get_carrier(pif["metrics"]) is True
    vlans = api.VLAN.get_all_records().values()
    assert {v["tag"] for v in vlans} == {"10", "20", "30"}
    statefiles = [v for v in api.VDI.get_all_records().values() if v["type"] == "ha_statefile"]
    assert len(statefiles) == 1
    assert api.pool.get_ha_statefiles(api.pool.get_all()[0]) == api.VDI.get_by_uuid(statefiles[0]["uuid"]).split()


def test_event_from_reports_a_change(lab: FaceTwin, api: object) -> None:
    event_from = getattr(api.event, "from")
    first = event_from(["vm"], "", 1.0)
    assert {e["operation"] for e in first["events"]} == {"add"}
    (vm,) = api.VM.get_by_name_label("CentOS6.5-test1")
    api.VM.clean_shutdown(vm)
    try:
        changed = event_from(["vm"], first["token"], 5.0)
        assert [(e["ref"], e["operation"], e["snapshot"]["power_state"]) for e in changed["events"]] == [
            (vm, "mod", "Halted")
        ]
        with pytest.raises(XenAPI.Failure) as caught:
            api.VM.clean_shutdown(vm)
        assert caught.value.details == ["VM_BAD_POWER_STATE", vm, "running", "halted"]
    finally:
        api.VM.start(vm, False, False)
    assert api.VM.get_power_state(vm) == "Running"


def test_pool_migrate_moves_the_vm(lab: FaceTwin, api: object) -> None:
    (vm,) = api.VM.get_by_name_label("CentOS6.5-test1")
    (xen1,), (xen2,) = api.host.get_by_name_label("xen1"), api.host.get_by_name_label("xen2")
    api.VM.pool_migrate(vm, xen2, {"live": "true"})
    assert api.VM.get_resident_on(vm) == xen2 and lab.twin.lab.vms["CentOS6.5-test1"].resident_on == "xen2"
    api.VM.pool_migrate(vm, xen1, {"live": "true"})


def test_calls_are_counted(lab: FaceTwin, api: object) -> None:
    before = lab.twin.lab.counters["xapi.VM.get_all_records"]
    api.VM.get_all_records()
    assert lab.twin.lab.counters["xapi.VM.get_all_records"] == before + 1


def test_a_powered_off_host_does_not_answer(lab: FaceTwin) -> None:
    host = lab.twin.lab.hosts["xen2"]
    host.powered = False
    lab.twin.lab.changed()
    try:
        with pytest.raises(ConnectionRefusedError):
            lab.login("xen2")
    finally:
        host.powered = True
        lab.twin.lab.changed()
    with pytest.raises(XenAPI.Failure):  # answering again: as a slave
        lab.login("xen2")
