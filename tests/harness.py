"""Run an acceptance suite against the tests' twin, with faults injected, and read the outcome.

This is how the project proves that every check can fail: inject a fault, run the
suite exactly as a user would (a pytest subprocess with real clients against the
twin), and compare the set of failing checks with the set expected.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from simlab.runtime import Control, find_running, state_dir_for
from simlab.twin import Twin
from tests.children import ROOT, child_env
from xenlab.inventory import Inventory, load_inventory

DEFAULT_INVENTORY = ROOT / "inventory" / "simlab.yml"
SUITE_TIMEOUT_S = 300
HA_REST_S = 60  # at most this long for HA to act on a fault (a fence, a reboot, restarts) before a suite runs

# The tests' twin is the default lab on other loopbacks and names, so it never clashes with a user's twin.
TWIN_SWAPS = (("127.18.", "127.19."), ("workshop", "xltest"), ("../.simlab/", "../../.simlab/"))
TWIN_HEADER = (
    "# GENERATED from inventory/simlab.yml by tests/harness.py (twin_inventory_text); do not edit.\n"
    "# The twin the project's own tests run: simlab.yml on other loopbacks and names.\n"
)


def twin_inventory_text(default: Path = DEFAULT_INVENTORY) -> str:
    text = default.read_text()
    for theirs, ours in TWIN_SWAPS:
        text = text.replace(theirs, ours)
    return TWIN_HEADER + text


def write_twin_inventory(path: Path) -> Path:
    """Write the tests' twin inventory (atomically, only when it changed: parallel sessions may race)."""
    text = twin_inventory_text()
    if not path.exists() or path.read_text() != text:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


# Generated (git-ignored) where the tests have always found it; relative paths in it (the twin's CA
# and host keys under .simlab/) resolve from tests/inventories/ as before.
TWIN_INVENTORY = write_twin_inventory(ROOT / "tests" / "inventories" / "twin.yml")


@dataclass
class Outcome:
    passed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # node id -> first line of the failure message
    skipped: dict[str, str] = field(default_factory=dict)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)  # node id -> what it record_property'd
    output: str = ""
    returncode: int = 0

    def summary(self) -> str:
        lines = [f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"]
        lines += [f"  FAILED {k}: {v}" for k, v in sorted(self.failed.items())]
        return "\n".join(lines)


def _node_id(case: ET.Element, suite_dir: Path) -> str:
    # classname "suites.pool.test_hosts" (or "...test_hosts.TestX") + name "test_x[xen2]"
    parts = case.get("classname", "").split(".")
    for n in range(len(parts), 0, -1):
        candidate = ROOT.joinpath(*parts[:n]).with_suffix(".py")
        if candidate.exists():
            rel = candidate.relative_to(suite_dir) if candidate.is_relative_to(suite_dir) else candidate
            return "::".join([str(rel), *parts[n:], case.get("name", "")])
    return f"{case.get('classname')}::{case.get('name')}"


def _message(element: ET.Element) -> str:
    text = element.get("message") or element.text or ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # pytest puts "AssertionError: <our message>" first; keep our message.
    first = lines[0] if lines else ""
    # a fixture's pytest.fail shows as: failed on setup with "Failed: <our message>"
    setup = re.match(r'^failed on (?:setup|teardown) with "(?:Failed: )?(.*)"$', first)
    if setup:
        first = setup.group(1)
    return first.removeprefix("AssertionError: ")


def read_junit(path: Path, suite_dir: Path) -> Outcome:
    outcome = Outcome()
    for case in ET.parse(path).getroot().iter("testcase"):
        node = _node_id(case, suite_dir)
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        skipped = case.find("skipped")
        recorded = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        if recorded:
            outcome.properties[node] = recorded
        if failure is not None:
            outcome.failed[node] = _message(failure)
        elif skipped is not None:
            outcome.skipped[node] = _message(skipped)
        else:
            outcome.passed.add(node)
    return outcome


class TwinHarness:
    """The tests' twin, running in this process, with a way to run suites against it."""

    def __init__(self, inventory: Inventory, twin: Twin, control: Control, workdir: Path) -> None:
        self.inventory, self.twin, self.control, self.workdir = inventory, twin, control, workdir
        self._runs = 0
        self._healthy: dict[str, Outcome] = {}

    @property
    def lab(self):  # -> simlab.model.lab.Lab
        return self.twin.lab

    def run_suite(
        self,
        suite: str,
        faults: list[tuple[str, list[str]]] = (),
        *args: str,
        env: dict[str, str] | None = None,
        inventory: Path | None = None,
    ) -> Outcome:
        """Inject ``faults``, run ``suite`` (a path under the repo), heal, and return what failed.
        ``inventory``: another inventory of this same twin (other expectations or options)."""
        baseline = self._placement()
        for name, fault_args in faults:
            self.lab.faults.inject(name, list(fault_args))
        self.settle()
        try:
            return self._pytest(suite, *args, env=env, inventory=inventory)
        finally:
            if faults:
                self.lab.faults.heal()
                self.settle()
                self._put_back(baseline)

    def settle(self) -> None:
        """The twin at rest, HA's consequences included: a host whose xhad can no longer show it survives
        (statefile or peers lost) fences when its watchdog fires, up to T later, and the HA face's own settle
        returns before that; so wait for those doubts to end (fenced, or survival shown again). A row's
        outcome is then the lab after HA acted, never a race with it."""
        deadline = time.monotonic() + HA_REST_S
        while True:
            self.twin.settle()
            if not self._ha_doubts() or time.monotonic() > deadline:
                return
            time.sleep(0.2)

    def _ha_doubts(self) -> list[str]:
        ha = next((face for face in self.twin.faces if getattr(face, "name", "") == "ha"), None)
        daemons = dict(getattr(ha, "daemons", {}))
        return [n for n, d in daemons.items() if not d.stopped and d.view.state == "online" and d.doubt]

    def _placement(self) -> tuple[str | None, dict[str, tuple[str, str | None]]]:
        with self.lab.lock:
            return self.lab.pool.master, {v.name: (v.power_state, v.resident_on) for v in self.lab.vms.values()}

    def _put_back(self, baseline: tuple[str | None, dict[str, tuple[str, str | None]]]) -> None:
        """Undo what HA did on its own during a fault (VMs restarted elsewhere, a new master), so the next
        case starts from the same lab: as an administrator would migrate them back."""
        master, vms = baseline
        if self._placement() == baseline:
            return
        from simlab.model import placement

        with self.lab.lock:
            self.lab.pool.master = master
            for name, (state, host) in vms.items():
                vm = self.lab.vms.get(name)
                if vm is None or state != "Running" or host is None:
                    continue
                if vm.power_state != "Running":
                    placement.start_on(self.lab, vm, host)
                elif vm.resident_on != host:
                    placement.resume_on(vm, host)  # the guest announces itself there, as after a migration
        self.lab.changed()
        self.settle()

    def healthy(self, suite: str) -> Outcome:
        """The suite's outcome against the healthy twin, run once per session."""
        if suite not in self._healthy:
            self._healthy[suite] = self.run_suite(suite)
        return self._healthy[suite]

    def run_expecting(self, suite: str, inventory: Path, *args: str) -> Outcome:
        """Run ``suite`` against this twin with another inventory's expectations (see ``expectations_copy``)."""
        return self._pytest(suite, *args, inventory=inventory)

    def _pytest(
        self, suite: str, *args: str, env: dict[str, str] | None = None, inventory: Path | None = None
    ) -> Outcome:
        """``env`` overrides variables for the suite only (the twin keeps what it started with)."""
        self._runs += 1
        junit = self.workdir / f"run-{self._runs}.xml"
        env = child_env(**(env or {}))
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            suite,
            f"--inventory={inventory or self.inventory.source}",
            "-p",
            "no:cacheprovider",
            "-q",
            "--no-header",
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",
            *args,
        ]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUITE_TIMEOUT_S)
        if not junit.exists():
            raise AssertionError(f"pytest wrote no results (rc {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        outcome = read_junit(junit, ROOT / suite if (ROOT / suite).is_dir() else (ROOT / suite).parent)
        outcome.output = proc.stdout + proc.stderr
        outcome.returncode = proc.returncode
        return outcome


def start_harness(workdir: Path, inventory_path: Path = TWIN_INVENTORY) -> TwinHarness:
    inventory = load_inventory(inventory_path)
    running = find_running(inventory)
    if running is not None:  # a twin left by an interrupted run: take its place
        running.stop()
    state_dir = state_dir_for(inventory)
    state_dir.mkdir(parents=True, exist_ok=True)
    twin = Twin(inventory, state_dir)
    twin.start()
    control = Control(twin)
    control.start()
    return TwinHarness(inventory, twin, control, workdir)


def stop_harness(harness: TwinHarness) -> None:
    harness.control.close()
    harness.twin.stop()


def lab_copy(folder: Path, second_octet: int, lab_name: str) -> Path:
    """The tests' lab on loopbacks 127.<second_octet>.x and its own names, to run beside the session twin."""
    text = TWIN_INVENTORY.read_text().replace("127.19.", f"127.{second_octet}.").replace("xltest", lab_name)
    path = folder / "inventory" / f"{lab_name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def edited_inventory(source: Path, folder: Path, name: str, edit: Callable[[dict], None]) -> Path:
    """A copy of the inventory at ``source`` changed by ``edit`` (on its YAML data), written to ``folder``.

    Paths in it (the CA, the pinned host keys) are made absolute, so they still name the files they named.
    """
    data = yaml.safe_load(source.read_text())
    tls = data["pool"].get("tls", {})
    if tls.get("ca_file"):
        tls["ca_file"] = str((source.parent / tls["ca_file"]).resolve())
    if data.get("ssh_known_hosts"):
        data["ssh_known_hosts"] = str((source.parent / data["ssh_known_hosts"]).resolve())
    edit(data)
    path = folder / f"{name}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def expectations_copy(folder: Path, name: str, edit: Callable[[dict], None]) -> Path:
    """The tests' lab with other expectations, as a real lab: suites run with it check the running session twin."""

    def as_real(data: dict) -> None:
        data["lab"]["kind"] = "real"
        data["ha"]["timeout_s"] = 60  # what a real lab's inventory says (the running twin keeps its short T)
        edit(data)

    return edited_inventory(TWIN_INVENTORY, folder, name, as_real)


def check_outcome(outcome: Outcome, expected: dict[str, str]) -> None:
    """Exactly the expected checks failed, each with a message containing its text (the object it names)."""
    assert set(outcome.failed) == set(expected), outcome.summary() + "\n" + outcome.output[-3000:]
    for test_id, text in expected.items():
        assert text in outcome.failed[test_id], f"{test_id}: {outcome.failed[test_id]!r} lacks {text!r}"
