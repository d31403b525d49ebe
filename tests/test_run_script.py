"""`./run acceptance`: an earlier run's results never survive to look fresh, and the user's paths are what runs.

Each test runs the real script from a copy of the project (every entry a link to this one but
``reports/``), with a stand-in for the Allure CLI, so no test touches this checkout's reports.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.children import child_env
from tests.harness import ROOT

FAKE_ALLURE = """#!/bin/sh
# generate RESULTS -c CONFIG -o OUT: stands in for Allure 3 in these tests
mkdir -p "$5" && echo fresh > "$5/index.html"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "xenlab"
    copy.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("reports", "run", ".tools", ".git"):
            (copy / entry.name).symlink_to(entry)
    shutil.copy2(ROOT / "run", copy / "run")
    allure = copy / ".tools" / "node_modules" / ".bin" / "allure"
    allure.parent.mkdir(parents=True)
    allure.write_text(FAKE_ALLURE)
    allure.chmod(0o755)
    # An earlier green run's outputs, which a failing run must not leave behind.
    reports = copy / "reports"
    (reports / "allure-results").mkdir(parents=True)
    (reports / "allure-results" / "old-result.json").write_text("{}")
    (reports / "allure-report").mkdir()
    (reports / "allure-report" / "index.html").write_text("stale")
    (reports / "junit.xml").write_text('<testsuite tests="110" failures="0" errors="0"/>')
    return copy


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env("XENLAB_INVENTORY")
    return subprocess.run(
        [str(project / "run"), "acceptance", *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def test_bad_inventory_leaves_no_stale_results(project: Path) -> None:
    run = _run(project, "--inventory", "tests/inventories/bad/empty.yml")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    reports = project / "reports"
    assert not (reports / "junit.xml").exists(), "the previous run's JUnit file is still there"
    assert not (reports / "allure-report").exists() and not (reports / "allure-results").exists()
    assert "results:" not in run.stderr, run.stderr


def test_user_paths_replace_the_default(project: Path) -> None:
    run = _run(project, "suites/pool", "--collect-only", "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    collected = [line for line in run.stdout.splitlines() if "::" in line]
    assert collected and all(line.startswith("suites/pool/") for line in collected), run.stdout
    assert (project / "reports" / "junit.xml").read_text() != '<testsuite tests="110" failures="0" errors="0"/>'
    report = project / "reports" / "allure-report" / "index.html"
    assert not report.exists() or report.read_text().strip() == "fresh"


def test_no_path_runs_every_suite(project: Path) -> None:
    run = _run(project, "--collect-only", "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    suites = {line.split("/")[1] for line in run.stdout.splitlines() if line.startswith("suites/")}
    assert {"pool", "network"} <= suites, run.stdout
