"""Every jumbo and dom0 check can fail: each fault turns exactly the checks observing it red.

MTU and VLAN faults are physical: they show on every path that crosses them, so a fault's
expected set is every check on those paths (e.g. the switch's system mtu breaks the jumbo
echo to every storage address and every dom0's jumbo ping to the portal).
"""

from __future__ import annotations

import os

import pytest

JUMBO = "suites/network/test_jumbo.py"
DOM0 = "suites/pool/test_dom0.py"

# case -> (fault args, {suite file: expected failing ids}, words each failure message must contain);
# a case is the fault's name, or "name:what" when one fault has several cases.
FAULTS = {
    "switch-system-mtu": (["cisco-stack", "1500"], {
        JUMBO: {"test_jumbo_echo[openfiler]", "test_jumbo_echo[xen1]", "test_jumbo_echo[xen2]"},
        DOM0: {"test_storage_ping_jumbo[xen1]", "test_storage_ping_jumbo[xen2]"},
    }, ["path MTU 1500|ping"]),
    "host-mtu": (["xen1", "Storage", "1500"], {
        JUMBO: {"test_jumbo_echo[xen1]"},
        DOM0: {"test_storage_interface_mtu[xen1]", "test_storage_ping_jumbo[xen1]"},
    }, ["xen1"]),
    "storage-mtu": (["1500"], {
        JUMBO: {"test_jumbo_echo[openfiler]"},
        DOM0: {"test_storage_ping_jumbo[xen1]", "test_storage_ping_jumbo[xen2]"},
    }, ["openfiler|198.18.20.10"]),
    "trunk-vlan-removed": (["cisco-stack", "Po1", "20"], {
        JUMBO: {"test_jumbo_echo[xen1]"},
        DOM0: {"test_storage_ping_jumbo[xen1]"},
    }, ["xen1"]),
    "host-mtu:larger": (["xen1", "Storage", "9198"], {
        JUMBO: {"test_oversize_echo_dropped[xen1]"},
        DOM0: {"test_storage_interface_mtu[xen1]"},
    }, ["xen1"]),
    "dom0-service-stopped": (["xen1", "multipathd"], {
        JUMBO: set(),
        DOM0: {"test_service_running[xen1-multipathd]"},
    }, ["xen1: multipathd"]),
    "host-nic-down": (["xen1", "eth1"], {
        JUMBO: set(),
        DOM0: {"test_bond_state[xen1]"},
    }, ["xen1: bond0 member eth1"]),
}

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="packet checks need the data plane (root)")


def _ids(failed: dict[str, str]) -> dict[str, str]:
    return {node.split("::", 1)[1]: message for node, message in failed.items()}


@pytest.mark.parametrize("suite", [JUMBO, DOM0])
def test_healthy_twin_passes(twin, suite: str) -> None:
    outcome = twin.healthy(suite)
    assert not outcome.failed, outcome.summary()
    assert not outcome.skipped, outcome.summary()


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_turns_exactly_its_checks_red(twin, fault: str) -> None:
    import re

    args, expected, words = FAULTS[fault]
    name = fault.split(":")[0]
    for suite, ids in expected.items():
        outcome = twin.run_suite(suite, faults=[(name, args)])
        failed = _ids(outcome.failed)
        assert set(failed) == ids, f"{fault} {' '.join(args)} on {suite}:\n{outcome.summary()}"
        for node, message in failed.items():
            assert any(re.search(w, message) for w in words), f"{node}: message does not name the object: {message}"
