"""xhad's survival rules as the HA design document states them (pure: no twin)."""

from __future__ import annotations

from simlab.ha.rules import Inputs, Slot, evaluate, grants_master_lock, join
from simlab.model.capacity import _pack

UUIDS = {"xen1": "b-uuid", "xen2": "a-uuid", "xen3": "c-uuid"}  # xen2 holds the lowest host UUID
ALL = frozenset(UUIDS)


def _slot(net: set[str], state: str = "online", fresh: bool = True, liveset: frozenset[str] = ALL) -> Slot:
    return Slot(state, frozenset(net), fresh, alive=True, liveset=liveset)


def _inputs(
    me: str,
    net: set[str],
    slots: dict[str, Slot],
    statefile: bool = True,
    lost: set[str] = frozenset(),
    liveset: frozenset[str] = ALL,
) -> Inputs:
    return Inputs(me, UUIDS, liveset, statefile, frozenset(net), frozenset(lost), slots)


def test_everyone_connected_all_survive() -> None:
    slots = {"xen2": _slot({"xen1", "xen3"}), "xen3": _slot({"xen1", "xen2"})}
    decision = evaluate(_inputs("xen1", {"xen2", "xen3"}, slots))
    assert decision.survive and decision.rule == 1 and decision.liveset == ALL


def test_tie_goes_to_the_partition_with_the_lowest_uuid() -> None:
    two = {"xen1": "b", "xen2": "a"}
    inputs = Inputs("xen1", two, frozenset(two), True, frozenset(), frozenset(), {"xen2": _slot(set())})
    decision = evaluate(inputs)
    assert not decision.survive and decision.fence_now and decision.liveset == {"xen2"}
    winner = Inputs("xen2", two, frozenset(two), True, frozenset(), frozenset(), {"xen1": _slot(set())})
    assert evaluate(winner).survive


def test_loser_waits_while_the_winner_still_claims_to_hear_it() -> None:
    two = {"xen1": "b", "xen2": "a"}
    stale = Inputs("xen1", two, frozenset(two), True, frozenset(), frozenset(), {"xen2": _slot({"xen1"})})
    decision = evaluate(stale)
    assert not decision.survive and not decision.fence_now


def test_minority_fences_majority_survives() -> None:
    slots = {"xen2": _slot({"xen3"}), "xen3": _slot({"xen2"})}
    assert evaluate(_inputs("xen1", set(), slots)).fence_now
    assert evaluate(_inputs("xen2", {"xen3"}, {"xen1": _slot(set()), "xen3": _slot({"xen2"})})).survive


def test_statefile_lost_by_all_who_see_each_other_survive_by_rule_2() -> None:
    decision = evaluate(_inputs("xen1", {"xen2", "xen3"}, {}, statefile=False, lost={"xen2", "xen3"}))
    assert decision.survive and decision.rule == 2


def test_statefile_lost_alone_does_not_survive() -> None:
    decision = evaluate(_inputs("xen1", {"xen2", "xen3"}, {}, statefile=False, lost={"xen3"}))
    assert not decision.survive and not decision.fence_now  # the watchdog decides


def test_isolated_host_does_not_survive() -> None:
    assert not evaluate(_inputs("xen1", set(), {}, statefile=False)).survive


def test_silent_host_leaves_the_liveset() -> None:
    slots = {"xen2": _slot({"xen1", "xen3"}), "xen3": Slot("online", frozenset(), False, alive=False)}
    decision = evaluate(_inputs("xen1", {"xen2"}, slots))
    assert decision.survive and decision.liveset == {"xen1", "xen2"}


def test_booted_host_joins_when_admitted() -> None:
    slots = {"xen2": _slot({"xen1"}, liveset=frozenset({"xen1", "xen2"}))}
    assert join(_inputs("xen1", {"xen2"}, slots, liveset=frozenset())) == {"xen1", "xen2"}
    assert join(_inputs("xen1", {"xen2"}, slots, statefile=False, liveset=frozenset())) is None


def test_survivor_holding_the_lock_is_granted_master_when_the_designated_master_fails() -> None:
    # xapi named xen1 master again, and xen1 fenced before it took the lock back from xen2: xen2 holds it
    assert grants_master_lock("xen2", "xen2", frozenset({"xen2"}), UUIDS)
    assert grants_master_lock("xen2", "xen1", frozenset({"xen2", "xen3"}), UUIDS)  # holder gone: lowest UUID
    assert not grants_master_lock("xen3", "xen1", frozenset({"xen2", "xen3"}), UUIDS)
    assert not grants_master_lock("xen3", "xen2", frozenset({"xen2", "xen3"}), UUIDS)  # a live holder keeps it


def test_biggest_fit_decreasing_onto_hosts_with_the_vms_network() -> None:
    from dataclasses import replace

    from simlab.model.build import build_lab
    from tests.harness import TWIN_INVENTORY
    from xenlab.inventory import load_inventory

    lab, gib = build_lab(load_inventory(TWIN_INVENTORY)), 1024**3
    vm = lab.vms["CentOS6.5-test1"]  # on the Data network
    vms = [replace(vm, name=f"vm{n}", memory_bytes=size) for n, size in enumerate((2 * gib, gib, gib))]
    room = {"xen1": 2 * gib, "xen2": 2 * gib}
    assert _pack(lab, vms, room) is not None
    assert _pack(lab, [replace(vm, memory_bytes=3 * gib)], room) is None
    lab.hosts["xen2"].missing_vlans.add("Data")  # xen2 cannot run a VM on Data: only xen1's room counts
    assert _pack(lab, vms, room) is None
    assert _pack(lab, vms[1:], room) == {0: "xen1", 1: "xen1"}
