"""The project's own tests: one twin for the whole session, and suites run against it."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import TwinHarness, start_harness, stop_harness

# Secrets unique to this run, so a test can grep every output and report for them. Set once:
# suite runs in subprocesses inherit them and must not pick new ones.
# The twins' state (sockets, logs, keys) goes to a folder of this run's, removed at its end.
_OWN_STATE_DIR: str | None = None
if "XENLAB_TEST_SECRETS" not in os.environ:
    os.environ["XENLAB_TEST_SECRETS"] = "1"
    for _variable in ("XEN_PASSWORD", "SWITCH_PASSWORD", "SWITCH_ENABLE_SECRET", "CHAP_PASSWORD", "BMC_PASSWORD"):
        os.environ[_variable] = f"xl-{_variable.lower()}-{secrets.token_hex(6)}"
    _OWN_STATE_DIR = os.environ["SIMLAB_STATE_DIR"] = tempfile.mkdtemp(prefix="simlab-tests-")


# Source words of a module that starts a twin or a data plane of its own (or runs the suites against one).
_STARTS_TWINS = re.compile(r"lab_copy\(|start_detached|\bTwin\b|FaceTwin|start_face_twin|IosOnly|Face\(|DataPlane\(|"
                           r"dataplane_support|start_harness|Probe\(|\"simlab\"|simlab\.cli|run_suite|\"suites")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``./run tests`` runs with ``-n auto --dist loadgroup``: every test that starts a twin or a data plane (the
    session twin, fixture ``twin``, or one of its own) is in one group, so one worker runs them one after another:
    twins bind fixed loopback addresses and name namespaces by lab, and two at once break each other. The tests
    that start nothing spread over the other workers. A module counts as starting twins when its source says so
    (``_STARTS_TWINS``): a new module that does is serialised without anyone remembering to mark it."""
    starts: dict[Path, bool] = {}
    for item in items:
        path = Path(item.path)
        if path not in starts:
            starts[path] = bool(_STARTS_TWINS.search(path.read_text()))
        if starts[path] or "twin" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("twins"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _OWN_STATE_DIR and not hasattr(session.config, "workerinput"):
        shutil.rmtree(_OWN_STATE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinHarness]:
    harness = start_harness(tmp_path_factory.mktemp("suite-runs"))
    try:
        yield harness
    finally:
        stop_harness(harness)
