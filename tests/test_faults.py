"""Every check can fail: each row of the fault table (tests/faults.py), injected into the tests' twin, turns
exactly its checks red across suites/, each message naming its object first; healed, the lab is as before.
"""

from __future__ import annotations

import copy
import os

import pytest

from tests.faults import FAULTS, MAY_ALSO_FAIL, is_packet_check, param, split
from tests.harness import TWIN_INVENTORY, Outcome, TwinHarness

ROOT = os.geteuid() == 0
LEFT_OUT = "destructive: "  # the skip reason of a destructive check the user did not ask for


def _expected(checks: dict[str, str]) -> dict[str, str]:
    """Without the data plane (not root) the packet checks are skipped, so they cannot fail."""
    return {check: text for check, text in checks.items() if ROOT or not is_packet_check(check)}


def _unexpected_skips(outcome: Outcome) -> dict[str, str]:
    """Skips nobody chose: the destructive checks skip unless asked for, and without root the packet checks
    skip (both say so); nothing else may."""
    return {
        check: why
        for check, why in outcome.skipped.items()
        if not why.startswith(LEFT_OUT) and (ROOT or not is_packet_check(check))
    }


def test_table_covers_every_registered_fault_with_its_example(twin: TwinHarness) -> None:
    import simlab.faults  # noqa: F401  (registers every fault)
    from simlab.faults.registry import REGISTRY

    # Faults only a destructive session observes (migrations): the destructive section of the same table.
    from tests.faults import DESTRUCTIVE_CATALOGUE

    rows = {(name, tuple(args)) for name, args in map(split, [*FAULTS, *DESTRUCTIVE_CATALOGUE])}
    examples = {(name, tuple(spec.example(twin.inventory))) for name, spec in REGISTRY.items()}
    missing = sorted(" ".join([name, *args]) for name, args in examples - rows)
    assert not missing, f"no row for the `simlab faults` example of: {missing}"
    assert {name for name, _ in rows} <= set(REGISTRY), "a row names a fault the twin does not have"


def test_healthy_twin_fails_nothing_and_skips_only_what_was_left_out(twin: TwinHarness) -> None:
    outcome = twin.healthy("suites")
    assert not outcome.failed, outcome.summary()
    assert not _unexpected_skips(outcome), outcome.summary() + "\n" + "\n".join(outcome.skipped.values())
    assert outcome.passed


@pytest.mark.parametrize("entry", [param(e) for e in FAULTS])
def test_fault_fails_exactly_its_checks(twin: TwinHarness, entry: str) -> None:
    expected = _expected(FAULTS[entry])
    tolerated = MAY_ALSO_FAIL.get(entry, {})
    outcome = twin.run_suite("suites", [split(entry)])
    assert set(expected) <= set(outcome.failed) <= set(expected) | set(tolerated), outcome.summary()
    expected |= {check: text for check, text in tolerated.items() if check in outcome.failed}
    for check, text in expected.items():
        assert outcome.failed[check].startswith(text), f"{check}: {outcome.failed[check]!r} does not start {text!r}"
    # A check that cannot judge under this fault skips pointing at the check that reports it (which failed).
    failed_checks = {check.split("::")[1].split("[")[0] for check in outcome.failed}
    for check, why in _unexpected_skips(outcome).items():
        assert any(name in why for name in failed_checks), f"{check} skipped without naming a failed check: {why}"


def test_every_fault_heals_to_the_same_model() -> None:
    """Inject and heal each row on a fresh model: every object the faces render is as it was."""
    from simlab.ios.render import show_running_config
    from simlab.model.build import build_lab
    from xenlab.inventory import load_inventory

    lab = build_lab(load_inventory(TWIN_INVENTORY))

    def state() -> tuple:
        configs = {name: show_running_config(stack) for name, stack in lab.switches.items()}
        parts = (
            lab.switches,
            lab.pool,
            lab.hosts,
            lab.networks,
            lab.cables,
            lab.srs,
            lab.vms,
            lab.storage,
            lab.xapi_fields,
        )
        return configs, copy.deepcopy(parts)

    before = state()
    for entry in FAULTS:
        lab.faults.inject(*split(entry))
        assert state() != before, f"{entry} changed nothing"
        lab.faults.heal()
        assert state() == before, f"{entry} did not heal exactly"


def test_xenapi_shows_the_same_lab_after_each_fault_heals(twin: TwinHarness) -> None:
    from xenlab.xapi import collect_facts, connect

    def records() -> dict:
        with connect(twin.inventory) as session:
            return collect_facts(session).records

    before = records()
    for entry in FAULTS:
        twin.lab.faults.inject(*split(entry))
        twin.lab.faults.heal()
        assert records() == before, f"{entry} did not heal exactly"
