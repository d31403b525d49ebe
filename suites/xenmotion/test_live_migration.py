"""XenMotion (destructive): a live migration loses at most the inventory's budget of pings.

For each VM the inventory marks ``migrate`` (or each disposable clone of ``xenmotion.template``):
steady state first (it runs and answers ping, echoes answered in a row), then a live migration to
another host while it is pinged at the budget's interval (1 s: the workshop's "loses at most one
ping") and at a fine interval (100 ms) that measures the outage, both counted from the migration's
start; the VM must end running on the destination with the same address, and goes back where it
started afterwards. The report carries, per VM, lost pings, the outage in ms, the migration time and
the timeline plot.

Run it alone: ``pytest suites/xenmotion --allow-destructive --lab-name NAME``.
"""

from __future__ import annotations

import json
import time

import allure
import pytest

from fixtures.xenmotion import Placement, restore
from xenlab.inventory import Inventory
from xenlab.inventory.schema import VM
from xenlab.migration import live_migrate
from xenlab.pinger import Pinger
from xenlab.xapi import XapiSession

pytestmark = pytest.mark.destructive
STARTED = "migration started"
STEADY_S = 10.0  # how long a VM may take to answer steadily before the migration starts


def _steady(coarse: Pinger, fine: Pinger) -> bool:
    """Answering in a row: the last two echoes at the budget's interval and the last second at the fine one."""
    return coarse.streak() >= 2 and fine.streak() >= max(1, round(1 / fine.interval_s))


def _attach(name: str, coarse: Pinger, fine: Pinger, migration_s: float, tmp_path) -> None:  # noqa: ANN001
    table = f"{coarse.report.summary()}\n{fine.report.summary()}\nmigration time {migration_s:.1f} s\n"
    allure.attach(table, name=f"{name}: pings during the migration", attachment_type=allure.attachment_type.TEXT)
    for pinger, label in ((fine, "fine"), (coarse, "budget")):
        png = pinger.report.plot(tmp_path / f"{name}-{label}.png", title=f"{name}: {pinger.report.summary()}")
        allure.attach.file(
            str(png), name=f"{name}: timeline ({label} interval)", attachment_type=allure.attachment_type.PNG
        )
    allure.attach(
        json.dumps({"budget": coarse.report.as_dict(), "fine": fine.report.as_dict()}, indent=1),
        name=f"{name}: echoes",
        attachment_type=allure.attachment_type.JSON,
    )
    print(table)


def test_live_migration_loses_at_most_the_budget(
    migration_vm: VM, inventory: Inventory, xapi: XapiSession, placement_guard: Placement, record_property, tmp_path
) -> None:
    x, name, budget = xapi.xenapi, migration_vm.name, inventory.xenmotion
    refs = x.VM.get_by_name_label(name)
    assert refs, f"{name}: VM does not exist"
    vm = refs[0]
    assert x.VM.get_power_state(vm) == "Running", (
        f"{name}: VM is {x.VM.get_power_state(vm).lower()}, expected running to migrate it"
    )
    source = placement_guard.started_on[name]
    destination = next((h.name for h in inventory.pool.hosts if h.name != source), None)
    assert destination is not None, f"{name}: the pool has no other host to migrate to"
    address = str(migration_vm.address) if migration_vm.address else placement_guard.addresses[name]
    where = {"netns": inventory.probe.netns, "source": inventory.probe.source(migration_vm.network)}
    coarse = Pinger(address, budget.interval_s, **where)
    fine = Pinger(address, budget.fine_interval_ms / 1000, **where)
    with coarse, fine:
        settle = max(2 * budget.interval_s, 1.0)
        time.sleep(settle)
        steady = time.monotonic() + STEADY_S
        while not _steady(coarse, fine) and time.monotonic() < steady:
            time.sleep(0.05)
        assert _steady(coarse, fine), (
            f"{name}: does not answer ping at {address} steadily before the migration (steady state), so its loss "
            f"cannot be measured: {coarse.streak()} answered in a row at {budget.interval_s:g} s, "
            f"{fine.streak()} at {budget.fine_interval_ms} ms"
        )
        for pinger in (coarse, fine):
            pinger.mark(STARTED)
        try:
            migration = live_migrate(x, vm, x.host.get_by_name_label(destination)[0], budget.deadline_s)
        finally:
            for pinger in (coarse, fine):
                pinger.mark("migration ended")
            time.sleep(settle + budget.interval_s)  # what the switch-over costs shows after it
    # What the migration cost: the echoes from its start on (one lost before it is the steady state's, not its).
    lost, outage_ms = coarse.report.since(STARTED).lost, fine.report.since(STARTED).longest_outage_ms
    try:
        _attach(name, coarse, fine, migration.seconds, tmp_path)
        record_property("lost_pings", lost)
        record_property("outage_ms", round(outage_ms))
        record_property("migration_s", round(migration.seconds, 2))
        assert migration.ok, f"{name}: live migration {source} -> {destination} failed: {' '.join(migration.error)}"
        now_on = x.host.get_name_label(x.VM.get_resident_on(vm))
        assert now_on == destination, f"{name}: runs on {now_on} after the migration, expected {destination}"
        metrics = x.VM.get_guest_metrics(vm)
        reported = x.VM_guest_metrics.get_networks(metrics).get("0/ip") if metrics != "OpaqueRef:NULL" else None
        assert reported == address, f"{name}: reports address {reported} after the migration, expected {address}"
        assert lost <= budget.max_lost, (
            f"{name}: {lost} pings lost at a {budget.interval_s:g} s interval during the live "
            f"migration {source} -> {destination}, expected at most {budget.max_lost}; outage "
            f"{outage_ms:.0f} ms measured at {budget.fine_interval_ms} ms"
        )
    finally:
        failures = restore(x, Placement({name: source}), budget.deadline_s)
        if failures:
            pytest.fail("RESTORE FAILED: " + " | ".join(failures), pytrace=False)
