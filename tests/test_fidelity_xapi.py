"""The XenAPI calls real tools make, through the PyPI XenAPI client, answered as xapi answers them.

Semantics from xapi-project/xen-api: ``ocaml/xapi/xapi_event.ml`` (tokens, register/next),
``ocaml/xapi/xapi_message.ml`` and the datamodel (``message``, ``expose_get_all_messages_for``),
``ocaml/idl/ocaml_backend/gen_server.ml`` (wire names, parameter counts).
"""

from __future__ import annotations

import calendar
import re
import threading
import time
import xmlrpc.client

import pytest
import XenAPI

from simlab.faces.xapi.classes import LISTED
from simlab.model import messages
from tests.test_xapi_face import FaceTwin, face_twin_fixtures

TWINS_HOLD = "xapi-faces"  # face twins on subnets of their own (tests/conftest.py)

TOKEN = re.compile(r"^\d{20},\d{20}$")


lab, api = face_twin_fixtures("xapi-fidelity", "36")


def failure(call) -> list[str]:
    with pytest.raises(XenAPI.Failure) as caught:
        call()
    return caught.value.details


def epoch(stamp: xmlrpc.client.DateTime) -> float:
    return float(calendar.timegm(time.strptime(stamp.value.rstrip("Z"), "%Y%m%dT%H:%M:%S")))


# -- host clocks ---------------------------------------------------------------------------------
def test_servertime_is_utc_and_localtime_has_no_zone(api: object) -> None:
    (host,) = api.host.get_by_name_label("xen1")
    utc, local = api.host.get_servertime(host), api.host.get_server_localtime(host)
    assert isinstance(utc, xmlrpc.client.DateTime) and utc.value.endswith("Z")
    assert abs(epoch(utc) - time.time()) < 60
    assert isinstance(local, xmlrpc.client.DateTime) and re.fullmatch(r"\d{8}T\d\d:\d\d:\d\d", local.value)


# -- every class a client may list ---------------------------------------------------------------
def test_every_listed_class_answers_get_all(api: object) -> None:
    for cls in LISTED:
        refs = getattr(api, cls).get_all()
        records = getattr(api, cls).get_all_records()
        assert isinstance(refs, list) and isinstance(records, dict) and sorted(refs) == sorted(records), cls
    assert api.GPU_group.get_all_records() == {} and api.VIF_metrics.get_all() == []
    assert failure(lambda: api.session.get_all()) == ["MESSAGE_METHOD_UNKNOWN", "session.get_all"]


# -- wire names ----------------------------------------------------------------------------------
def test_alternative_wire_names_and_unknown_names(api: object) -> None:
    assert sorted(api.VM_get_all()) == sorted(api.VM.get_all())
    assert TOKEN.match(api.event_from(["pool"], "", 0.0)["token"])
    assert failure(lambda: api.event_frm(["vm"], "", 0.0)) == ["MESSAGE_METHOD_UNKNOWN", "event_frm"]
    assert failure(lambda: api.vm.get_all()) == ["MESSAGE_METHOD_UNKNOWN", "vm.get_all"]  # case-sensitive
    assert failure(lambda: api.event.get_all()) == ["MESSAGE_METHOD_UNKNOWN", "event.get_all"]
    assert failure(lambda: getattr(api.event, "from")(["vm"], "")) == [
        "MESSAGE_PARAMETER_COUNT_MISMATCH",
        "event.from",
        "3",
        "2",
    ]


# -- messages ------------------------------------------------------------------------------------
def test_messages_are_a_store_the_model_fills(lab: FaceTwin, api: object) -> None:
    (host,) = api.host.get_by_name_label("xen2")
    host_uuid = api.host.get_uuid(host)
    before = api.host.get_servertime(host)
    time.sleep(1.1)  # message timestamps travel to the second
    posted = messages.post(lab.twin.lab, "HA_HOST_FAILED", 2, "Host", host_uuid, "xen2 failed")
    try:
        records = api.message.get_all_records()
        ((ref, record),) = [(r, m) for r, m in records.items() if m["uuid"] == posted.uuid]
        assert {k: record[k] for k in ("name", "priority", "cls", "obj_uuid", "body")} == {
            "name": "HA_HOST_FAILED",
            "priority": "2",
            "cls": "Host",
            "obj_uuid": host_uuid,
            "body": "xen2 failed",
        }
        assert isinstance(record["timestamp"], xmlrpc.client.DateTime)
        assert ref in api.message.get_all() and api.message.get_record(ref) == record
        assert ref in api.message.get_since(before)
        assert ref not in api.message.get_since(
            xmlrpc.client.DateTime(time.strftime("%Y%m%dT%H:%M:%SZ", time.gmtime(time.time() + 5)))
        )
        assert ref in api.message.get_since(before.value.rstrip("Z"))  # no timezone: UTC
        assert ref in api.message.get("Host", host_uuid, before)
        assert failure(lambda: api.message.get_name(ref))[0] == "MESSAGE_METHOD_UNKNOWN"
    finally:
        messages.destroy(lab.twin.lab, posted.uuid)
    assert posted.uuid not in [m["uuid"] for m in api.message.get_all_records().values()]


def test_message_create_and_destroy(api: object) -> None:
    (pool,) = api.pool.get_all()
    pool_uuid = api.pool.get_uuid(pool)
    assert failure(lambda: api.message.create("X", "3", "VM", "no-such-uuid", "")) == [
        "UUID_INVALID",
        "VM",
        "no-such-uuid",
    ]
    ref = api.message.create("POOL_MAINTENANCE", "4", "Pool", pool_uuid, "rehearsal")
    assert api.message.get_record(ref)["name"] == "POOL_MAINTENANCE"
    api.message.destroy(ref)
    assert failure(lambda: api.message.get_record(ref)) == ["HANDLE_INVALID", "message", ref]


# -- event.from ----------------------------------------------------------------------------------
def test_event_from_tokens(lab: FaceTwin, api: object) -> None:
    event_from = getattr(api.event, "from")
    first = event_from(["vm"], "", 0.0)
    assert TOKEN.match(first["token"]) and first["events"]
    assert {e["operation"] for e in first["events"]} == {"add"} and all("snapshot" in e for e in first["events"])
    assert first["valid_ref_counts"]["vm"] == len(api.VM.get_all())  # an int, as xapi sends Int32
    assert failure(lambda: event_from(["vm"], "not-a-token", 0.0)) == ["EVENT_FROM_TOKEN_PARSE_FAILURE", "not-a-token"]
    quiet = event_from(["vm"], first["token"], 0.2)
    assert quiet["events"] == [] and quiet["token"] == first["token"]

    (host,) = api.host.get_by_name_label("xen2")
    api.host.disable(host)
    try:
        changed = event_from(["host", "vm"], first["token"], 5.0)
        assert [(e["class"], e["ref"], e["operation"]) for e in changed["events"]] == [("host", host, "mod")]
        assert changed["events"][0]["snapshot"]["enabled"] is False
        assert changed["token"] > first["token"]  # opaque, and moves forward
        # An older token still sees what happened after it.
        assert [e["ref"] for e in event_from(["host"], first["token"], 0.0)["events"]] == [host]
    finally:
        api.host.enable(host)


def test_event_from_sees_what_the_model_changes(lab: FaceTwin, api: object) -> None:
    """A cable pulled in the model (no XenAPI call) reaches event.from as PIF_metrics and Bond changes."""
    event_from = getattr(api.event, "from")
    start = event_from(["pif_metrics", "bond"], "", 0.0)["token"]
    model = lab.twin.lab
    cable = model.cables_of("xen1")[0]
    with model.lock:
        cable.connected = False
    model.changed()
    try:
        changed = event_from(["PIF_metrics", "Bond"], start, 5.0)
        kinds = {(e["class"], e["operation"]) for e in changed["events"]}
        assert ("pif_metrics", "mod") in kinds and ("bond", "mod") in kinds
        assert any(e["snapshot"].get("links_up") == "1" for e in changed["events"] if e["class"] == "bond")
    finally:
        with model.lock:
            cable.connected = True
        model.changed()


def test_event_from_message_add_and_del(lab: FaceTwin, api: object) -> None:
    event_from = getattr(api.event, "from")
    start = event_from(["message"], "", 0.0)["token"]
    (vm,) = api.VM.get_by_name_label("CentOS6.5-test1")
    posted = messages.post(lab.twin.lab, "VM_STARTED", 5, "VM", api.VM.get_uuid(vm), "")
    added = event_from(["message"], start, 5.0)
    assert [(e["operation"], e["snapshot"]["name"]) for e in added["events"]] == [("add", "VM_STARTED")]
    messages.destroy(lab.twin.lab, posted.uuid)
    deleted = event_from(["message"], added["token"], 5.0)
    assert [(e["operation"], "snapshot" in e) for e in deleted["events"]] == [("del", False)]


# -- event.register / next / unregister ----------------------------------------------------------
def test_register_next_unregister(lab: FaceTwin) -> None:
    session, other = lab.login(), lab.login().xenapi  # a connection carries one call at a time
    api = session.xenapi
    try:
        details = failure(lambda: api.event.next())
        assert details[0] == "SESSION_NOT_REGISTERED" and re.fullmatch(r"trackid=[0-9a-f]{32}", details[1])
        api.event.register(["host"])
        (host,) = api.host.get_by_name_label("xen2")
        threading.Timer(0.3, lambda: other.host.set_name_description(host, "next")).start()
        events = api.event.next()
        assert [(e["class"], e["operation"], e["ref"]) for e in events] == [("host", "mod", host)]
        assert int(api.event.get_current_id()) >= int(events[-1]["id"]) + 1
        api.event.unregister(["host"])
        api.event.register(["pool"])
        api.host.set_name_description(host, "")  # not watched any more
        (pool,) = api.pool.get_all()
        threading.Timer(0.3, lambda: other.pool.set_name_description(pool, "next")).start()
        assert [e["class"] for e in api.event.next()] == ["pool"]
        api.pool.set_name_description(pool, "")
    finally:
        session.xenapi.session.logout()
        other.session.logout()


# -- Async calls: a task, followed with event.from as XenCenter and xe do --------------------------
def wait_task(api: object, task: str, token: str = "") -> dict:
    event_from = getattr(api.event, "from")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = event_from([f"task/{task}"], token, 5.0)
        token = answer["token"]
        for event in answer["events"]:
            if event["operation"] != "del" and event["snapshot"]["status"] != "pending":
                return event["snapshot"]
    raise AssertionError(f"{task} still pending after 30 s")


def test_async_call_is_a_task_that_succeeds_or_fails_with_the_real_error(api: object) -> None:
    (vm,) = api.VM.get_by_name_label("CentOS6.5-test1")
    task = api.Async.VM.clean_shutdown(vm)
    assert task.startswith("OpaqueRef:") and task in api.task.get_all()
    try:
        done = wait_task(api, task)
        assert done["status"] == "success" and api.VM.get_power_state(vm) == "Halted"
        again = api.Async.VM.clean_shutdown(vm)
        failed = wait_task(api, again)
        assert failed["status"] == "failure"
        assert failed["error_info"] == ["VM_BAD_POWER_STATE", vm, "running", "halted"]
        assert api.task.get_record(again)["error_info"] == failed["error_info"]
    finally:
        if api.VM.get_power_state(vm) == "Halted":
            api.VM.start(vm, False, False)
    assert failure(lambda: api.Async.session.logout()) == ["MESSAGE_METHOD_UNKNOWN", "Async.session.logout"]
