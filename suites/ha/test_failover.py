"""HA failover, destructive: one cable changes nothing; a failed host's protected VMs restart on a survivor.

Each test starts from the steady state (every host live and enabled, every protected VM running and
answering ping), breaks the lab, watches, restores it, and proves the steady state again. The
restore runs whatever happens (failure, timeout, Ctrl-C, SIGTERM).
"""

import time

import allure
import pytest

from fixtures.ha import Restorer
from xenlab.ha.drill import Drill, steady_state_problems
from xenlab.ha.fence import SwitchPortsFencer, fencer_for
from xenlab.ha.watch import PoolWatch
from xenlab.inventory import Inventory
from xenlab.inventory.schema import Host
from xenlab.probe import Probe
from xenlab.report import attach_timeline

pytestmark = pytest.mark.destructive
BACK_S = 120  # a restored host has this long to become live and enabled again


def _ping(probe: Probe):
    return lambda address: probe.echo(address, 84, timeout=1.0).reply


def _attach(drill: Drill, t: int | None) -> None:
    drill.stop_pingers()  # no-op when the wait already stopped them
    attach_timeline(drill.timeline.title, drill.timeline.rows(), plot=drill.timeline.plot(t, drill.pings))
    measured = "\n".join([drill.measured(t), *(report.summary() for report in drill.pings.values())])
    allure.attach(measured, name=f"{drill.timeline.title} (measured)", attachment_type=allure.attachment_type.TEXT)


def test_one_cable_changes_nothing(
    inventory: Inventory, pool_watch: PoolWatch, probe: Probe, restorer: Restorer, cabled_host: Host
) -> None:
    drill = Drill(inventory, pool_watch, _ping(probe), cabled_host.name)
    assert not (problems := drill.steady_state()), f"{cabled_host.name}: no steady state before: {problems}"
    fencer = fencer_for(inventory, cabled_host, "switch-ports")
    assert isinstance(fencer, SwitchPortsFencer)
    one = SwitchPortsFencer(cabled_host.name, fencer.ports[:1], fencer.known_hosts)
    undo = restorer.push(f"{cabled_host.name}: {one.ports[0][1]} shut", one.restore, one.how_to_mend())
    one.fence()
    window = 2 * (pool_watch.facts().pool.ha_timeout or inventory.ha.timeout_s)
    end, lost = time.monotonic() + window, []
    while time.monotonic() < end:  # LACP keeps every path up: nothing may flap, nothing may restart
        lost += steady_state_problems(inventory, pool_watch.facts(), _ping(probe))
        time.sleep(1)
    restorer.run_now(undo)
    assert not lost, f"{cabled_host.name}: with {one.ports[0][1]} shut (LACP redundancy): {sorted(set(lost))}"
    moved = {
        vm: host
        for vm, host in drill.placement.items()
        if (found := pool_watch.facts().vm(vm)) is not None and found.resident_on != host
    }
    assert not moved, f"{cabled_host.name}: VMs moved with one cable out: {moved}"


def test_host_failure(
    inventory: Inventory,
    pool_watch: PoolWatch,
    probe: Probe,
    restorer: Restorer,
    fenced_host: Host,
    request: pytest.FixtureRequest,
) -> None:
    drill = Drill(inventory, pool_watch, _ping(probe), fenced_host.name)
    assert not (problems := drill.steady_state()), f"{fenced_host.name}: no steady state before: {problems}"
    t = pool_watch.facts().pool.ha_timeout
    fencer = fencer_for(inventory, fenced_host, request.config.getoption("fence_method"))
    undo = restorer.push(
        f"{fenced_host.name}: fenced by {fencer.method}",
        lambda: _restore(drill, fencer),
        fencer.how_to_mend() + f"; then wait until {fenced_host.name} is live and enabled",
    )
    try:
        drill.fence(fencer)
        missing = drill.wait_for_restarts(inventory.ha.restart_deadline_s)
        assert not missing, "; ".join(
            f"{vm}: not running on a survivor and answering ping within {inventory.ha.restart_deadline_s}s ({state})"
            for vm, state in missing.items()
        )
        restorer.run_now(undo)
        problems = drill.steady_state()
        assert not problems, f"{fenced_host.name}: no steady state after the restore: {problems}"
    finally:
        _attach(drill, t)


def _restore(drill: Drill, fencer) -> None:
    fencer.restore()
    still = drill.wait_host_back(BACK_S)
    if still:
        raise RuntimeError(still)
    problems = drill.put_vms_back()
    master = drill.put_master_back()
    if problems or master:
        raise RuntimeError("; ".join([*problems, *([master] if master else [])]))
