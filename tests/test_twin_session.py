"""Sessions and the twin: started once (also under -n), shared by concurrent sessions and stopped after the last;
Ctrl-C at any point of a session, or kill -9, leaves no twin, namespace or listener behind."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from simlab.runtime import find_running, start_detached
from tests.children import run_pytest
from tests.harness import lab_copy
from tests.lifecycle_support import (
    ctrl_c,
    namespaces,
    pytest_session,
    running,
    twin_processes,
    wait_clean,
    wait_for,
)
from xenlab.inventory import load_inventory


@pytest.fixture
def session_inventory(tmp_path: Path) -> Path:
    return lab_copy(tmp_path, 20, "xlsess")


def _pytest(inventory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pytest("suites/pool", f"--inventory={inventory}", "-q", *args, timeout=600)


class _TwinPids:
    """Every twin process seen serving this inventory while the block runs (the state folder goes with the twin)."""

    def __init__(self, inventory: Path) -> None:
        self.inventory, self.seen = inventory, set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            self.seen.update(twin_processes(self.inventory))

    def __enter__(self) -> set[int]:
        self._thread.start()
        return self.seen

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


def test_parallel_session_starts_the_twin_once_and_stops_it(session_inventory: Path) -> None:
    with _TwinPids(session_inventory) as pids:
        run = _pytest(session_inventory, "-n", "2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert len(pids) == 1, f"twin processes: {pids}"
    assert find_running(load_inventory(session_inventory)) is None, "the session left its twin running"


def test_session_uses_a_running_twin_and_leaves_it_up(session_inventory: Path) -> None:
    inventory = load_inventory(session_inventory)
    twin = start_detached(inventory)
    try:
        with _TwinPids(session_inventory) as pids:
            run = _pytest(session_inventory)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert pids == {twin.pid}
        assert find_running(inventory) is not None, "the session stopped a twin it did not start"
    finally:
        twin.stop()


# --- sessions that share a twin, and sessions that end badly ------------------------------------------------------

TAG = "xlsess"


def test_two_sessions_share_the_twin_and_the_last_one_stops_it(session_inventory: Path) -> None:
    # The first session runs every suite three times over, so the second (pool only) ends while it still runs.
    first = pytest_session(session_inventory, "suites", "suites", "--keep-duplicates", suite="suites")
    second = None
    try:
        assert wait_for(lambda: running(session_inventory), 120), "the first session did not start a twin"
        pid = find_running(load_inventory(session_inventory)).pid  # type: ignore[union-attr]
        second = pytest_session(session_inventory)
        out_second, _ = second.communicate(timeout=300)
        assert second.returncode == 0, out_second[-3000:]
        assert first.poll() is None, "the first session ended before the second: nothing was shared"
        assert running(session_inventory), "the second session stopped the twin the first one is using"
        out_first, _ = first.communicate(timeout=300)
        assert first.returncode == 0, out_first[-3000:]
        assert twin_processes(session_inventory) in ([], [pid]), "a session started a second twin"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert wait_clean(session_inventory, 20, TAG, timeout=5) == [], "the last session did not stop the twin"


def test_kill_9_of_a_session_leaves_nothing(session_inventory: Path) -> None:
    run = pytest_session(session_inventory, suite="suites")
    try:
        assert wait_for(lambda: running(session_inventory), 120), "no twin came up"
        time.sleep(1)  # checks under way
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate(timeout=30)
    # Nobody is left to stop it: the twin sees its last lease go and stops itself.
    assert wait_clean(session_inventory, 20, TAG) == []


@pytest.mark.parametrize("when", ["collecting", "twin-starting", "twin-up", "checks-running"])
def test_ctrl_c_at_any_point_leaves_nothing(session_inventory: Path, when: str) -> None:
    run = pytest_session(session_inventory, suite="suites")
    try:
        if when == "collecting":
            time.sleep(0.5)
        elif when == "twin-starting":  # the twin's process exists and serves nothing yet
            assert wait_for(lambda: twin_processes(session_inventory), 120), "no twin was started"
        elif when == "twin-up":
            assert wait_for(lambda: running(session_inventory), 120), "no twin came up"
        else:
            assert wait_for(lambda: running(session_inventory), 120), "no twin came up"
            time.sleep(2)
        ctrl_c(run)
        out, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0, out[-2000:]
    assert wait_clean(session_inventory, 20, TAG, timeout=5) == [], out[-2000:]


def test_next_session_reports_and_removes_what_a_killed_twin_left(session_inventory: Path) -> None:
    inventory = load_inventory(session_inventory)
    twin = start_detached(inventory)
    os.kill(twin.pid, signal.SIGKILL)  # the twin itself dies: its namespaces stay behind
    assert wait_for(lambda: not twin_processes(session_inventory), 10)
    left = namespaces(TAG)
    run = _pytest(session_inventory)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    if left:  # with root the data plane was up: each namespace is named as it is removed
        for ns in sorted(left):
            assert f"simlab: removed what an earlier twin of {TAG} left: namespace {ns}" in run.stdout, run.stdout
    assert wait_clean(session_inventory, 20, TAG, timeout=5) == []
