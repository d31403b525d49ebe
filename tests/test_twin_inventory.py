"""The tests' twin is generated from the default lab (simlab.yml) on other loopbacks and names."""

from tests.harness import DEFAULT_INVENTORY, TWIN_INVENTORY, twin_inventory_text
from xenlab.inventory import load_inventory


def test_twin_inventory_is_generated_from_simlab() -> None:
    assert TWIN_INVENTORY.read_text() == twin_inventory_text()


def test_twin_inventory_is_valid_and_distinct() -> None:
    ours, default = load_inventory(TWIN_INVENTORY), load_inventory(DEFAULT_INVENTORY)
    assert ours.lab.name != default.lab.name
    assert not {h.address for h in ours.pool.hosts} & {h.address for h in default.pool.hosts}
    assert ours.model_dump(exclude={"lab", "pool", "switches", "probe", "ssh_known_hosts"}) == default.model_dump(
        exclude={"lab", "pool", "switches", "probe", "ssh_known_hosts"}
    )
