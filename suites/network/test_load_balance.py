"""The switch spreads port-channel traffic the way the XenServer bonds hash theirs."""

from __future__ import annotations

from xenlab.switch.hashing import matching_methods


def test_load_balance(switch, switch_facts, inventory):
    method = switch_facts[switch.name].load_balance
    expected = matching_methods(inventory.bond.hashing)
    assert method in expected, (
        f"{switch.name}: port-channel load-balance is {method or 'unknown'}, expected "
        f"{' or '.join(sorted(expected))} to match the bonds' {inventory.bond.hashing} hashing"
    )
