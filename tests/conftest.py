"""The project's own tests: one twin for the whole session, and suites run against it."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator

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
