from xenlab.snapshot import diff


def test_diff_reports_changes_and_ignores_volatile_facts() -> None:
    before = {"hosts": {"xen1": {"enabled": True, "memory_free": "1", "cpu": {"count": 8}}}, "pool": {"name": "lab"}}
    after = {
        "hosts": {"xen1": {"enabled": False, "memory_free": "2", "cpu": {"count": 8}}, "xen3": {"enabled": True}},
        "pool": {"name": "lab"},
    }
    changes = [str(c) for c in diff(before, after)]
    assert changes == ["~ hosts.xen1.enabled: True -> False", "+ hosts.xen3: {'enabled': True}"]


def test_diff_of_equal_facts_is_empty() -> None:
    facts = {"a": [1, 2], "b": {"c": None}}
    assert diff(facts, facts) == []


def test_learn_then_diff_names_the_changed_object(twin, tmp_path) -> None:
    """`xenlab learn` before and after a fault; `xenlab diff` names exactly what changed."""
    from xenlab.cli import main

    before, after = tmp_path / "before.json", tmp_path / "after.json"
    inventory = f"--inventory={twin.inventory.source}"
    assert main(["learn", inventory, "-o", str(before)]) == 0
    twin.lab.faults.inject("host-disabled", ["xen2"])
    try:
        assert main(["learn", inventory, "-o", str(after)]) == 0
    finally:
        twin.lab.faults.heal()
    assert main(["diff", str(before), str(before)]) == 0
    assert main(["diff", str(before), str(after)]) == 1
    from xenlab.snapshot import diff, load

    # A disabled host also leaves HA without a plan for one failure, as xapi recomputes it.
    assert [str(c) for c in diff(load(before), load(after))] == [
        "~ pool.host.xen2.enabled: True -> False",
        "~ pool.pool.lab.ha_overcommitted: False -> True",
        "~ pool.pool.lab.ha_plan_exists_for: '1' -> '0'",
    ]
