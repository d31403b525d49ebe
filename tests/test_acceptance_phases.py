"""`./run acceptance` (xenlab/acceptance.py): the non-destructive phase, then the destructive one when asked, one
JUnit file for both, and an exit status that is 0 only when every selected check passed or is waived.

The phases run sample checks that touch no lab (tests/data), so no twin is needed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.children import child_env
from tests.harness import ROOT, TWIN_INVENTORY

GUARDED = "tests/data/guard/guarded_sample.py"  # one destructive check, one that only reads
FAILING = "tests/data/report/sample_checks.py"  # one failing check, one waived, nothing destructive


def acceptance(reports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env("XENLAB_INVENTORY")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "xenlab.acceptance",
            f"--reports={reports}",
            *args,
            f"--inventory={TWIN_INVENTORY}",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_both_phases_in_one_junit_and_one_results_folder(tmp_path: Path) -> None:
    run = acceptance(tmp_path, GUARDED, "--allow-destructive", "--lab-name=xltest")
    assert run.returncode == 0, run.stdout + run.stderr
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    assert [(s.get("name"), s.get("tests")) for s in suites] == [
        ("pytest (checks)", "1"),
        ("pytest (destructive)", "1"),
    ]
    phase = {case.get("name"): suite.get("name") for suite in suites for case in suite.iter("testcase")}
    assert phase == {"test_reads_the_lab": "pytest (checks)", "test_breaks_the_lab": "pytest (destructive)"}
    results = [json.loads(p.read_text()) for p in (tmp_path / "allure-results").glob("*-result.json")]
    assert {r["name"]: r["status"] for r in results} == {
        "test_reads_the_lab": "passed",
        "test_breaks_the_lab": "passed",
    }


def test_without_the_flag_the_destructive_check_never_runs(tmp_path: Path) -> None:
    run = acceptance(tmp_path, GUARDED)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test_breaks_the_lab" not in (tmp_path / "junit.xml").read_text()


def test_a_lab_name_that_is_not_the_inventorys_runs_nothing(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text("<testsuites/>")  # an earlier run's, left as it was
    run = acceptance(tmp_path, GUARDED, "--allow-destructive", "--lab-name=workshop")
    assert run.returncode == 2
    assert "--lab-name workshop is not the lab of" in run.stderr and "(xltest): nothing was run" in run.stderr
    assert not (tmp_path / "allure-results").exists()


def test_failing_checks_fail_the_run_and_keep_the_destructive_phase_away(tmp_path: Path) -> None:
    run = acceptance(
        tmp_path, FAILING, "--waivers=tests/data/report/waivers.yml", "--allow-destructive", "--lab-name=xltest"
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "destructive phase not run: the non-destructive checks did not all pass" in run.stderr
    assert not (tmp_path / "junit-destructive.xml").exists()
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert (junit.get("failures"), junit.get("skipped")) == ("1", "1")  # the waived failure is not one
