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
_STARTS_TWINS = re.compile(
    r"lab_copy\(|start_detached|\bTwin\b|FaceTwin|start_face_twin|IosOnly|Face\(|DataPlane\(|"
    r"dataplane_support|start_harness|Probe\(|\"simlab\"|simlab\.cli|run_suite|\"suites"
)
_HARNESS = "127.19"  # the session twin's range (tests/inventories/twin.yml), and the face twins' (127.19.<n>)


def _resources(path: Path, seen: set[Path] | None = None) -> set[str]:
    """What a module's twins hold that another twin must not: loopback ranges (127.N) and, for the in-process
    data planes, the namespaces (one key for all). A module that starts twins but names nothing is put with the
    harness; a module that imports another test module holds what that one holds."""
    seen = seen if seen is not None else set()
    if path in seen or not path.is_file():
        return set()
    seen.add(path)
    text = path.read_text()
    keys: set[str] = set()
    for module in re.findall(r"from tests\.(test_\w+) import", text):
        keys |= _resources(path.parent / f"{module}.py", seen)
    if not _STARTS_TWINS.search(text):
        return keys
    keys |= {f"127.{n}" for n in re.findall(r"lab_copy\([^,]+,\s*(\d+)", text)}
    keys |= {f"127.{n}" for n in re.findall(r"127\.(\d+)\.", text)}
    if "start_face_twin" in text or "FaceTwin" in text:
        keys.add(_HARNESS)
    if "dataplane_support" in text:
        keys.add("dataplanes")
    return keys or {_HARNESS}


# A module that says what its twins hold, when its source would mislead the guess: a face-only twin on a subnet of
# its own that names the harness's addresses only to move them (``TWINS_HOLD = "xapi-faces"``).
_DECLARED = re.compile(r'^TWINS_HOLD = "([\w.-]+)"', re.M)

# A module whose tests take the session twin (the fixture ``twin``) as an argument.
_USES_HARNESS = re.compile(r"\btwin\s*:\s*TwinHarness|def \w+\([^)]*\btwin\b")


def _groups(tests_dir: Path) -> dict[str, str]:
    """Each test module that holds a twin -> the name of its group; modules that share a resource share a group."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    held: dict[str, set[str]] = {}
    for path in sorted(tests_dir.glob("test_*.py")):
        declared = _DECLARED.search(path.read_text())
        if declared:
            held[path.name] = {declared.group(1)}
            continue
        keys = _resources(path) | ({_HARNESS} if _USES_HARNESS.search(path.read_text()) else set())
        if keys:
            first, *rest = sorted(keys)
            for key in rest:
                parent[root(key)] = root(first)
            held[path.name] = keys
    return {name: f"twins-{root(min(keys))}" for name, keys in held.items()}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object):  # -> xdist scheduler
    """``./run tests`` runs with ``-n auto``: one xdist group per twin, so no two tests that hold the same loopback
    range or namespaces ever run at once, while tests of different twins (and tests that start none) run side by
    side. A module's group comes from its source (``_resources``, and whether its tests take the session twin);
    groups that share a resource are merged, and a new module that starts a twin is grouped without anyone
    remembering to mark it. (A scheduler of our own rather than ``--dist loadgroup``: pytest 9 ignores the
    test-id suffix xdist 3.8's loadgroup relies on, so its groups silently split.)"""
    from xdist.scheduler import LoadScopeScheduling

    groups = _groups(Path(__file__).parent)

    class TwinGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return groups.get(Path(nodeid.split("::", 1)[0]).name, nodeid)

    return TwinGroups(config, log)


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
