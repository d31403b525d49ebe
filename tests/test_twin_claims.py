"""A twin that fails to start harms no running twin: it claims the lab and each file before touching them.

Each case starts a second twin for a copy of a running twin's inventory (the same CA and known_hosts
files), which must fail with one line naming the running twin, change neither file, and leave the
running twin serving every check green.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simlab.runtime import RunningTwin, start_detached
from tests.children import run_pytest
from tests.harness import ROOT, lab_copy
from xenlab.inventory import load_inventory
from xenlab.inventory.loader import known_hosts_path
from xenlab.inventory.schema import Inventory


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Inventory, RunningTwin]]:
    path = lab_copy(tmp_path_factory.mktemp("first"), 22, "xlclaim")
    inventory = load_inventory(path)
    twin = start_detached(inventory)
    try:
        yield inventory, twin
    finally:
        twin.stop()


def _copy(first: Inventory, folder: Path, lab: str | None = None, octet: int | None = None) -> Path:
    """The first twin's inventory in another folder, pointing at the very same CA and known_hosts files."""
    text = Path(first.source).read_text()
    ca_file, known_hosts = first.pool.tls.ca_file, first.ssh_known_hosts
    assert ca_file and known_hosts
    base = Path(first.source).parent
    text = text.replace(f"ca_file: {ca_file}", f"ca_file: {(base / ca_file).resolve()}")
    text = text.replace(f"ssh_known_hosts: {known_hosts}", f"ssh_known_hosts: {(base / known_hosts).resolve()}")
    if lab:
        text = text.replace("lab:\n  name: xlclaim", f"lab:\n  name: {lab}")
        text = text.replace("xlprobe-xlclaim", f"xlprobe-{lab}")
    if octet:
        text = text.replace("127.22.", f"127.{octet}.")
    path = folder / "copy.yml"
    path.write_text(text)
    return path


def _files(inventory: Inventory) -> dict[str, bytes]:
    ca = Path(inventory.source).parent / (inventory.pool.tls.ca_file or "")
    known_hosts = known_hosts_path(inventory)
    assert known_hosts is not None
    return {"ca": ca.resolve().read_bytes(), "known_hosts": known_hosts.read_bytes()}


def _up(inventory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simlab", "--inventory", str(inventory), "up", "--detach"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _green(inventory: Inventory) -> None:
    run = run_pytest(
        "suites/pool", "suites/network/test_bonds.py", f"--inventory={inventory.source}", "-q", timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize(
    ("lab", "octet", "expected"),
    [
        pytest.param(None, None, "lab 'xlclaim' is in use by a running twin (pid ", id="same-lab"),
        pytest.param("xlclaimb", None, "cannot listen on 127.22.", id="same-addresses"),
        pytest.param(
            "xlclaimc",
            23,
            "ca.pem (written by the twin for its clients) is in use by a running twin (pid ",
            id="same-files-only",
        ),
    ],
)
def test_second_twin_for_a_copy_fails_and_harms_nothing(
    first: tuple[Inventory, RunningTwin], tmp_path: Path, lab: str | None, octet: int | None, expected: str
) -> None:
    inventory, twin = first
    before = _files(inventory)
    copy = _copy(inventory, tmp_path, lab, octet)
    second = _up(copy)
    assert second.returncode != 0, second.stdout + second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], second.stderr
    assert _files(inventory) == before, "the failed start rewrote the running twin's CA or known_hosts"
    _green(inventory)
