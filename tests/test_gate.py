"""The pre-change gate on the tests' twin: a baseline, a fault, a regression named; healed, no regression."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.children import child_env
from tests.harness import ROOT, TWIN_INVENTORY, TwinHarness
from xenlab.gate import Finding, compare, table


def gate(reports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env()
    return subprocess.run(
        [sys.executable, "-m", "xenlab.cli", "gate", *args, f"--reports={reports}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_compare_names_regressions_and_leaves_out_volatile_facts() -> None:
    before = {
        "a.py::t[x]": {"status": "passed"},
        "a.py::gone": {"status": "passed"},
        "a.py::w": {"status": "passed"},
        "a.py::fixed": {"status": "failed"},
    }
    after = {
        "a.py::t[x]": {"status": "failed", "message": "x: broken"},
        "a.py::w": {"status": "waived"},
        "a.py::fixed": {"status": "passed"},
        "a.py::new": {"status": "passed"},
    }
    facts = compare(
        before,
        after,
        {"host": {"x": {"enabled": True, "memory_free": 1}}},
        {"host": {"x": {"enabled": False, "memory_free": 2}}},
    )
    regressions = {(f.kind, f.subject) for f in facts if f.regression}
    assert regressions == {("check", "a.py::t[x]"), ("check", "a.py::gone"), ("fact", "host.x.enabled")}
    assert Finding(False, "check", "a.py::w", "passed", "waived", "") in facts
    assert "3 regression(s)" in table("base", "then", facts)


def test_gate_catches_a_fault_and_passes_once_healed(twin: TwinHarness, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert gate(reports, "check", "base").returncode == 2  # no baseline: cannot judge
    taken = gate(
        reports, "snapshot", "base", f"--inventory={TWIN_INVENTORY}", "suites/pool", "-p", "no:cacheprovider", "-q"
    )
    assert taken.returncode == 0, taken.stdout[-2000:] + taken.stderr[-2000:]
    baseline = json.loads((reports / "baselines" / "base" / "outcomes.json").read_text())
    assert baseline["checks"]["pool/test_hosts.py::test_host_enabled[xen2]"]["status"] == "passed"
    assert (reports / "baselines" / "base" / "facts.json").is_file()

    twin.lab.faults.inject("host-disabled", ["xen2"])
    twin.twin.settle()
    try:
        regressed = gate(reports, "check", "base")
    finally:
        twin.lab.faults.heal()
        twin.twin.settle()
    assert regressed.returncode == 1, regressed.stdout[-3000:] + regressed.stderr[-2000:]
    lines = regressed.stdout.splitlines()
    assert any(
        line.startswith("REGRESSION")
        and "pool/test_hosts.py::test_host_enabled[xen2]" in line
        and "passed -> failed" in line
        and "xen2: host is disabled" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("REGRESSION") and "pool.host.xen2.enabled" in line and "True -> False" in line for line in lines
    ), lines
    diff = json.loads((reports / "gate" / "base-diff.json").read_text())
    # the check, the host fact, and HA's plan for one failure that the disabled host takes away
    assert diff["regressions"] == 4
    results = [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]
    (verdict,) = [r for r in results if r["name"] == "pre-change gate vs base"]
    assert verdict["status"] == "failed" and {a["name"] for a in verdict["attachments"]} == {
        "gate table",
        "base-diff.json",
    }

    healed = gate(reports, "check", "base")
    assert healed.returncode == 0, healed.stdout[-3000:]
    assert "xenlab gate: no regression" in healed.stdout

    secrets = [os.environ[v] for v in ("XEN_PASSWORD", "SWITCH_PASSWORD", "SWITCH_ENABLE_SECRET", "CHAP_PASSWORD")]
    for path in [p for p in reports.rglob("*") if p.is_file()]:
        text = path.read_bytes().decode(errors="replace")
        assert not [s for s in secrets if s in text], f"{path.relative_to(reports)} holds a secret"
