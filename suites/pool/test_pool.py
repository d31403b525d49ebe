"""The pool: the inventory's name, exactly its hosts, a master among them, VMs started with the pool."""

from xenlab.inventory import Inventory
from xenlab.xapi import XapiFacts


def _setting(value: bool | None) -> str:
    return "unset" if value is None else str(value).lower()


def test_pool_name(inventory: Inventory, xapi_facts: XapiFacts) -> None:
    actual = xapi_facts.pool.name
    assert actual == inventory.pool.name, f"pool: name is {actual!r}, expected {inventory.pool.name!r}"


def test_pool_hosts(inventory: Inventory, xapi_facts: XapiFacts) -> None:
    expected = {h.name for h in inventory.pool.hosts}
    actual = set(xapi_facts.hosts)
    problems = [f"missing {', '.join(sorted(expected - actual))}"] if expected - actual else []
    problems += [f"unexpected {', '.join(sorted(actual - expected))}"] if actual - expected else []
    assert not problems, f"pool {inventory.pool.name}: hosts are {', '.join(sorted(actual))}: {'; '.join(problems)}"


def test_pool_master_in_inventory(inventory: Inventory, xapi_facts: XapiFacts) -> None:
    master = xapi_facts.pool.master
    name = master.name if master is not None else "none"
    expected = [h.name for h in inventory.pool.hosts]
    assert name in expected, (
        f"pool {inventory.pool.name}: master is {name}, expected one of the inventory's hosts ({', '.join(expected)})"
    )


def test_pool_auto_poweron(inventory: Inventory, xapi_facts: XapiFacts) -> None:
    actual, expected = xapi_facts.pool.auto_poweron, inventory.pool.auto_poweron
    assert actual == expected, (
        f"pool {inventory.pool.name}: other_config:auto_poweron is {_setting(actual)}, expected {_setting(expected)}"
    )
