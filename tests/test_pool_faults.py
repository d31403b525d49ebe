"""Every pool check can fail: inject its fault, run suites/pool against the twin, see exactly that check fail.

``expected`` maps each failing test id to text its message must contain (the object it names).
The one fault that fails two checks says why: a master the inventory does not list is, by
definition, also a host the inventory does not list.
"""

from __future__ import annotations

import pytest

from tests.harness import Outcome, TwinHarness

SUITE = "suites/pool"
VM = "CentOS6.5-test4"

CASES: list[tuple[str, list[str], dict[str, str]]] = [
    ("pool-renamed", ["lab-renamed"], {"test_pool.py::test_pool_name": "pool: name is 'lab-renamed'"}),
    ("pool-extra-host", ["xen-extra"], {"test_pool.py::test_pool_hosts": "unexpected xen-extra"}),
    ("pool-master-lost", ["xen-extra"], {
        "test_pool.py::test_pool_master_in_inventory": "master is xen-extra",
        "test_pool.py::test_pool_hosts": "unexpected xen-extra",
    }),
    ("pool-auto-poweron-off", [], {"test_pool.py::test_pool_auto_poweron": "other_config:auto_poweron is false"}),
    ("host-disabled", ["xen2"], {"test_hosts.py::test_host_enabled[xen2]": "xen2: host is disabled"}),
    ("host-not-live", ["xen2"], {"test_hosts.py::test_host_live[xen2]": "xen2: host is not live"}),
    ("host-cpu-mismatch", ["xen2"], {"test_hosts.py::test_host_cpu_homogeneous[xen2]": "xen2: CPU"}),
    ("host-memory-mismatch", ["xen2"], {"test_hosts.py::test_host_memory_homogeneous[xen2]": "xen2: memory 12.0 GiB"}),
    ("vm-missing", [VM], {f"test_vms.py::test_vm_exists[{VM}]": f"{VM}: VM does not exist"}),
    ("vm-halted", [VM], {f"test_vms.py::test_vm_running[{VM}]": f"{VM}: VM is halted, expected running"}),
    ("vm-no-pv-drivers", [VM], {f"test_vms.py::test_vm_pv_drivers[{VM}]": f"{VM}: PV drivers not detected"}),
    ("vm-auto-poweron-off", [VM], {f"test_vms.py::test_vm_auto_poweron[{VM}]": f"{VM}: other_config:auto_poweron"}),
]


def check_outcome(outcome: Outcome, expected: dict[str, str]) -> None:
    """Exactly the expected checks failed, each with a message naming its object."""
    assert set(outcome.failed) == set(expected), outcome.summary() + "\n" + outcome.output[-3000:]
    for test_id, text in expected.items():
        assert text in outcome.failed[test_id], f"{test_id}: {outcome.failed[test_id]!r} lacks {text!r}"


def test_healthy_twin_passes_the_pool_suite(twin: TwinHarness) -> None:
    outcome = twin.healthy(SUITE)
    assert not outcome.failed, outcome.summary()
    assert outcome.passed


@pytest.mark.parametrize(("fault", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fault_fails_its_check(twin: TwinHarness, fault: str, args: list[str], expected: dict[str, str]) -> None:
    check_outcome(twin.run_suite(SUITE, [(fault, args)]), expected)


def test_missing_vm_skips_its_other_checks(twin: TwinHarness) -> None:
    """A VM that does not exist fails one check; the others skip pointing at it."""
    outcome = twin.run_suite(SUITE, [("vm-missing", [VM])])
    skipped = {k: v for k, v in outcome.skipped.items() if f"[{VM}]" in k}
    assert len(skipped) == 3 and all("test_vm_exists" in reason for reason in skipped.values()), skipped


def assert_faults_undo(twin: TwinHarness, cases: list[tuple[str, list[str], dict[str, str]]]) -> None:
    """Inject and heal each fault: XenAPI shows exactly the lab it showed before."""
    from xenlab.xapi import collect_facts, connect

    def facts() -> dict:
        with connect(twin.inventory) as session:
            return collect_facts(session).records

    before = facts()
    for fault, args, _ in cases:
        twin.lab.faults.inject(fault, args)
        twin.lab.faults.heal()
        assert facts() == before, f"{fault} {' '.join(args)} did not undo exactly"


def test_every_fault_undoes_exactly(twin: TwinHarness) -> None:
    assert_faults_undo(twin, CASES)
