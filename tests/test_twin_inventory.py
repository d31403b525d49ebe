"""The tests' twin is the default lab on other loopbacks and names: it must not drift from simlab.yml."""

from tests.harness import ROOT, TWIN_INVENTORY
from xenlab.inventory import load_inventory


def _normalised(text: str) -> list[str]:
    swaps = [("127.19.", "127.18."), ("xltest", "workshop"), ("../../.simlab/", "../.simlab/")]
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for ours, theirs in swaps:
            line = line.replace(ours, theirs)
        lines.append(line)
    return lines


def test_twin_inventory_is_simlab_on_other_addresses() -> None:
    assert _normalised(TWIN_INVENTORY.read_text()) == _normalised((ROOT / "inventory" / "simlab.yml").read_text())


def test_twin_inventory_is_valid_and_distinct() -> None:
    ours, default = load_inventory(TWIN_INVENTORY), load_inventory(ROOT / "inventory" / "simlab.yml")
    assert ours.lab.name != default.lab.name
    assert not {h.address for h in ours.pool.hosts} & {h.address for h in default.pool.hosts}
