"""No false green: on a real lab a packet check that cannot run is an error naming why; a skip nobody chose
never leaves exit code 0, and every skip is listed in the summary."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.children import run_pytest
from tests.harness import ROOT, TWIN_INVENTORY, TwinHarness, read_junit
from xenlab.inventory.loader import known_hosts_path

CHECKS = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip(REASON)
"""


def _run_checks(tmp_path: Path, reason: str, *args: str) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "test_checks.py"
    module.write_text(CHECKS.replace("REASON", repr(reason)))
    return run_pytest(
        str(module), "-c", os.devnull, "--rootdir", str(tmp_path), "-p", "fixtures.skips", "-q", *args, timeout=120
    )


def test_an_unexpected_skip_is_not_green(tmp_path: Path) -> None:
    run = _run_checks(tmp_path, "probe namespace x does not exist")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout
    assert "checks that could not run (not a pass)" in run.stdout
    assert "test_checks.py::test_skips: probe namespace x does not exist" in run.stdout
    assert "xenlab: 1 check(s) could not run: this run is not green" in run.stdout


@pytest.mark.parametrize(
    "reason",
    [
        "destructive: pass --allow-destructive --lab-name NAME to run",
        "not applicable: VLAN 40 has no SVI in the inventory",
    ],
)
def test_a_chosen_skip_is_listed_and_green(tmp_path: Path, reason: str) -> None:
    run = _run_checks(tmp_path, reason)
    assert run.returncode == pytest.ExitCode.OK, run.stdout
    assert "left out by choice" in run.stdout and f"1 check(s): {reason}" in run.stdout


def test_deselected_is_not_a_skip(tmp_path: Path) -> None:
    run = _run_checks(tmp_path, "whatever", "-k", "passes")
    assert run.returncode == pytest.ExitCode.OK, run.stdout


def test_real_lab_with_a_missing_probe_namespace_fails_naming_it(twin: TwinHarness, tmp_path: Path) -> None:
    """The tests' twin, driven as a real lab (kind: real) whose probe namespace has a typo."""
    inventory = twin.inventory
    text = TWIN_INVENTORY.read_text().replace("kind: simulated", "kind: real")
    text = text.replace("timeout_s: 4 ", "timeout_s: 60 ")  # a real lab's HA timeout
    text = text.replace("netns: xlprobe-xltest", "netns: xlprobe-xltset")
    ca_file = (TWIN_INVENTORY.parent / (inventory.pool.tls.ca_file or "")).resolve()
    text = text.replace(f"ca_file: {inventory.pool.tls.ca_file}", f"ca_file: {ca_file}")
    known_hosts = known_hosts_path(inventory)
    text = text.replace(f"ssh_known_hosts: {inventory.ssh_known_hosts}", f"ssh_known_hosts: {known_hosts}")
    real = tmp_path / "real.yml"
    real.write_text(text)
    junit = tmp_path / "junit.xml"
    run = run_pytest("suites", f"--inventory={real}", "-q", f"--junitxml={junit}", timeout=300)
    assert run.returncode != 0, run.stdout[-3000:]
    outcome = read_junit(junit, ROOT / "suites")
    skipped = {node: reason for node, reason in outcome.skipped.items() if not reason.startswith("destructive")}
    assert not skipped, f"skipped on a real lab: {skipped}"
    assert any("jumbo" in node for node in outcome.failed), outcome.summary()
    for node, message in outcome.failed.items():  # the packet checks, and nothing else
        assert "probe namespace xlprobe-xltset (probe.netns) does not exist" in message, f"{node}: {message}"
        assert message.startswith(("probe: ", "storage probe: ")), f"{node}: {message}"
