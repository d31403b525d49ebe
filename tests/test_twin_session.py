"""The pytest session starts the twin exactly once, also under -n, and stops what it started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simlab.runtime import find_running, start_detached, state_dir_for
from tests.harness import ROOT, lab_copy
from xenlab.inventory import load_inventory


@pytest.fixture
def session_inventory(tmp_path: Path) -> Path:
    return lab_copy(tmp_path, 20, "xlsess")


def _pytest(inventory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XENLAB_RUN_ID"}
    return subprocess.run([sys.executable, "-m", "pytest", "suites/pool", f"--inventory={inventory}",
                           "-p", "no:cacheprovider", "-q", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _starts(inventory: Path) -> int:
    log = state_dir_for(load_inventory(inventory)) / "twin.log"
    return log.read_text().count(" is up ") if log.exists() else 0


def test_parallel_session_starts_the_twin_once_and_stops_it(session_inventory: Path) -> None:
    before = _starts(session_inventory)
    run = _pytest(session_inventory, "-n", "2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert _starts(session_inventory) - before == 1
    assert find_running(load_inventory(session_inventory)) is None, "the session left its twin running"


def test_session_uses_a_running_twin_and_leaves_it_up(session_inventory: Path) -> None:
    inventory = load_inventory(session_inventory)
    twin = start_detached(inventory)
    try:
        before = _starts(session_inventory)
        run = _pytest(session_inventory)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert _starts(session_inventory) == before
        assert find_running(inventory) is not None, "the session stopped a twin it did not start"
    finally:
        twin.stop()
