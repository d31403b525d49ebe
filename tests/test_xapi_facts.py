"""Typed XenAPI facts: wire values converted in one place, references resolved, raw records kept as evidence."""

from __future__ import annotations

from xenlab.xapi import XapiFacts
from xenlab.xapi.objects import PIF, Bond
from xenlab.xapi.typed import NULL, REGISTRY

RECORDS = {
    "pool": {"OpaqueRef:p": {"uuid": "p", "name_label": "lab", "master": "OpaqueRef:h1", "other_config": {}}},
    "host": {
        "OpaqueRef:h1": {
            "uuid": "h1",
            "name_label": "xen1",
            "enabled": True,
            "metrics": "OpaqueRef:hm1",
            "PIFs": ["OpaqueRef:eth0", "OpaqueRef:bond0", "OpaqueRef:gone"],
            "cpu_info": {"vendor": "GenuineIntel", "modelname": "Xeon", "cpu_count": "8"},
        }
    },
    "host_metrics": {"OpaqueRef:hm1": {"uuid": "hm1", "live": True, "memory_total": "17179869184"}},
    "network": {"OpaqueRef:n": {"uuid": "n", "name_label": "Management", "MTU": "1500", "PIFs": []}},
    "PIF": {
        "OpaqueRef:eth0": {
            "device": "eth0",
            "VLAN": "-1",
            "MTU": "1500",
            "physical": True,
            "host": "OpaqueRef:h1",
            "network": NULL,
            "metrics": "OpaqueRef:m0",
        },
        "OpaqueRef:bond0": {
            "device": "bond0",
            "VLAN": "-1",
            "MTU": "1500",
            "physical": False,
            "host": "OpaqueRef:h1",
            "network": "OpaqueRef:n",
            "metrics": NULL,
        },
    },
    "PIF_metrics": {"OpaqueRef:m0": {"carrier": True, "speed": "1000"}},
    "Bond": {
        "OpaqueRef:b": {
            "master": "OpaqueRef:bond0",
            "slaves": ["OpaqueRef:eth0"],
            "mode": "lacp",
            "links_up": "1",
            "properties": {},
        }
    },
    "VM": {
        "OpaqueRef:v": {
            "name_label": "web",
            "power_state": "Running",
            "resident_on": "OpaqueRef:h1",
            "is_control_domain": False,
            "is_a_template": False,
            "is_a_snapshot": False,
            "guest_metrics": NULL,
            "other_config": {"auto_poweron": "TRUE"},
            "order": "2",
        }
    },
}


def test_wire_values_are_converted_and_references_resolved() -> None:
    facts = XapiFacts(RECORDS)
    xen1 = facts.host("xen1")
    assert facts.pool.master is xen1 and xen1.live and xen1.memory_total == 16 * 1024**3
    assert str(xen1.cpu) == "GenuineIntel Xeon x8"
    assert [p.device for p in xen1.pifs] == ["eth0", "bond0"]  # a dangling reference is left out
    bond = xen1.bonds[0]
    assert (bond.device, bond.slave_devices, bond.links_up, bond.host) == ("bond0", ["eth0"], 1, xen1)
    assert bond.hashing is None  # not set is not a value
    eth0, bond0 = facts.get(PIF, "OpaqueRef:eth0"), xen1.pif_on("Management")
    assert eth0.vlan is None and eth0.network is None and eth0.carrier and eth0.metrics.speed == 1000
    assert bond0.device == "bond0" and not bond0.carrier  # no metrics: no carrier anyone saw
    vm = facts.vm("web")
    assert (vm.resident_on, vm.auto_poweron, vm.order, vm.pv_drivers_detected) == ("xen1", True, 2, False)
    assert facts.all(Bond) == facts.all("Bond")


def test_raw_records_stay_as_evidence() -> None:
    facts = XapiFacts(RECORDS)
    assert facts.host("xen1").record is RECORDS["host"]["OpaqueRef:h1"]
    assert XapiFacts.from_dict(facts.as_dict()).records == RECORDS


def test_every_registered_class_is_built() -> None:
    facts = XapiFacts({name: {} for name in REGISTRY})
    assert set(facts.objects) == set(REGISTRY)
    assert {"pool", "host", "PIF", "Bond", "network", "VM", "SR", "PBD", "VDI"} <= set(REGISTRY)
