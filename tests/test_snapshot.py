from xenlab.snapshot import diff


def test_diff_reports_changes_and_ignores_volatile_facts() -> None:
    before = {"hosts": {"xen1": {"enabled": True, "memory_free": "1", "cpu": {"count": 8}}}, "pool": {"name": "lab"}}
    after = {"hosts": {"xen1": {"enabled": False, "memory_free": "2", "cpu": {"count": 8}},
                       "xen3": {"enabled": True}}, "pool": {"name": "lab"}}
    changes = [str(c) for c in diff(before, after)]
    assert changes == ["~ hosts.xen1.enabled: True -> False", "+ hosts.xen3: {'enabled': True}"]


def test_diff_of_equal_facts_is_empty() -> None:
    facts = {"a": [1, 2], "b": {"c": None}}
    assert diff(facts, facts) == []
