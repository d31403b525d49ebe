"""Every RW field of the datamodel can be set and read back; RO fields and wrong types are refused as xapi does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import XenAPI

from tests.harness import TwinHarness
from xenlab.xapi import connect


@pytest.fixture
def api(twin: TwinHarness) -> Iterator[Any]:
    with connect(twin.inventory) as session:
        yield session.xenapi
    twin.lab.xapi_fields.clear()


def test_plain_rw_fields_read_back(api: Any) -> None:
    net = api.network.get_by_name_label("Storage")[0]
    api.network.set_name_description(net, "jumbo frames to the OpenFiler")
    api.network.set_MTU(net, "9000")
    assert api.network.get_record(net)["name_description"] == "jumbo frames to the OpenFiler"
    host = api.host.get_all()[0]
    api.host.add_tags(host, "rack-a")
    api.host.add_tags(host, "rack-b")
    api.host.remove_tags(host, "rack-a")
    assert api.host.get_tags(host) == ["rack-b"]
    api.host.add_to_other_config(host, "owner", "neteng")
    assert api.host.get_other_config(host)["owner"] == "neteng"
    api.host.remove_from_other_config(host, "owner")
    assert "owner" not in api.host.get_other_config(host)


def test_fields_with_behaviour_keep_it(api: Any, twin: TwinHarness) -> None:
    vm = api.VM.get_by_name_label("CentOS6.5-test1")[0]
    api.VM.add_to_other_config(vm, "owner", "neteng")
    try:
        assert api.VM.get_other_config(vm) == {"auto_poweron": "true", "owner": "neteng"}
        assert twin.lab.vms["CentOS6.5-test1"].other_config["owner"] == "neteng"
    finally:
        api.VM.remove_from_other_config(vm, "owner")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda api, host, vm: api.host.set_address(host, "192.0.2.1"), ["MESSAGE_METHOD_UNKNOWN", "host.set_address"]),
        (lambda api, host, vm: api.VM.add_to_order(vm, "a", "b"), ["MESSAGE_METHOD_UNKNOWN", "VM.add_to_order"]),
        (lambda api, host, vm: api.host.set_name_description(host, 5), ["FIELD_TYPE_ERROR", "name_description"]),
    ],
    ids=["read-only", "not-a-map", "wrong-type"],
)
def test_refused_writes(api: Any, call: Any, error: list[str]) -> None:
    host, vm = api.host.get_all()[0], api.VM.get_by_name_label("CentOS6.5-test1")[0]
    with pytest.raises(XenAPI.Failure) as caught:
        call(api, host, vm)
    assert caught.value.details == error
