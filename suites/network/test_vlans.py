"""VLANs: every inventory VLAN exists on the switch with its name, is active, and its SVI is up."""

from __future__ import annotations

import pytest


def test_vlan_exists(switch_vlan, switch_facts):
    switch, vlan = switch_vlan
    found = switch_facts[switch.name].vlans.get(vlan.id)
    assert found is not None, f"VLAN {vlan.id} ({vlan.name}): missing from {switch.name}"
    assert found.name == vlan.name, f"VLAN {vlan.id}: named {found.name!r} on {switch.name}, expected {vlan.name!r}"


def test_vlan_active(switch_vlan, switch_facts):
    switch, vlan = switch_vlan
    found = switch_facts[switch.name].vlans.get(vlan.id)
    if found is None:
        pytest.skip(f"VLAN {vlan.id} is missing (test_vlan_exists)")
    assert found.status == "active", f"VLAN {vlan.id} ({vlan.name}): status {found.status}, expected active"


def test_svi_up(switch_vlan, switch_facts):
    switch, vlan = switch_vlan
    if vlan.svi is None:
        pytest.skip(f"not applicable: VLAN {vlan.id} has no SVI in the inventory")
    facts = switch_facts[switch.name]
    db = facts.vlans.get(vlan.id)
    if db is None or db.status != "active":
        pytest.skip(f"VLAN {vlan.id} is missing or not active (test_vlan_exists, test_vlan_active)")
    svi = facts.svis.get(vlan.id)
    assert svi is not None, f"Vlan{vlan.id}: no SVI on {switch.name}, expected {vlan.svi}"
    assert svi.ip_address == str(vlan.svi.ip), f"Vlan{vlan.id}: address {svi.ip_address}, expected {vlan.svi.ip}"
    assert (svi.status, svi.protocol) == ("up", "up"), (
        f"Vlan{vlan.id}: SVI is {svi.status}/{svi.protocol}, expected up/up"
    )
