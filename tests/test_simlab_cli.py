"""`simlab up` in the foreground: Ctrl-C or `simlab down` stop it and leave nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simlab.model.netnames import lab_tag
from simlab.runtime import find_running
from simlab.storage.tgtd import Tgtd, tgtd_pids
from tests.harness import ROOT, lab_copy
from xenlab.inventory import load_inventory


@pytest.fixture
def cli_inventory(tmp_path: Path) -> Path:
    return lab_copy(tmp_path, 21, "xlcli")


def _netns() -> set[str]:
    """This lab's namespaces (other labs' twins may come and go meanwhile)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if "xlcli" in line}


def _storage_leftovers() -> list[str]:
    """This lab's tgtd, its control socket and its backing files, if any are left."""
    tgtd = Tgtd(lab_tag("xlcli"), "", "")
    found = [f"tgtd pid {pid}" for pid in tgtd_pids(tgtd.port)]
    return found + [str(p) for p in (tgtd.socket, tgtd.dir) if p.exists()]


def _listening(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((address, port)) == 0


def _simlab(inventory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simlab", "--inventory", str(inventory), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _wait_up(inventory: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while find_running(load_inventory(inventory)) is None:
        assert proc.poll() is None, f"simlab up exited: {proc.stdout.read() if proc.stdout else ''}"
        assert time.monotonic() < deadline, "simlab up did not come up"
        time.sleep(0.2)


@pytest.mark.parametrize("how", ["ctrl-c", "simlab-down", "sigterm"])
def test_stop_leaves_nothing_behind(cli_inventory: Path, how: str) -> None:
    before = _netns()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simlab", "--inventory", str(cli_inventory), "up"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_up(cli_inventory, proc)
        assert _listening("127.21.0.11", 8443) and _listening("127.21.1.1", 2222)
        if how == "ctrl-c":
            proc.send_signal(signal.SIGINT)
        elif how == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            assert _simlab(cli_inventory, "down").returncode == 0
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "stopped" in out
    assert _netns() == before, f"namespaces left behind: {_netns() - before}"
    assert not _storage_leftovers(), f"storage left behind: {_storage_leftovers()}"
    for address, port in [("127.21.0.11", 8443), ("127.21.0.12", 8443), ("127.21.1.1", 2222), ("127.21.0.11", 2222)]:
        assert not _listening(address, port), f"{address}:{port} still listening"
    assert find_running(load_inventory(cli_inventory)) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="the iSCSI target runs with the data plane (root)")
def test_kill_9_then_up_leaves_nothing_behind(cli_inventory: Path) -> None:
    """tgtd dies with a twin killed by SIGKILL; the next start removes the socket and files it left; down cleans all."""
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "simlab", "--inventory", str(cli_inventory), "up"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_up(cli_inventory, proc)
            assert any(p.startswith("tgtd") for p in _storage_leftovers()), "no tgtd while the twin is up"
        finally:
            proc.kill()
            proc.communicate(timeout=60)
        deadline = time.monotonic() + 5
        while any(p.startswith("tgtd") for p in _storage_leftovers()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(p.startswith("tgtd") for p in _storage_leftovers()), "tgtd outlived the killed twin"
    up = subprocess.run(
        [sys.executable, "-m", "simlab", "--inventory", str(cli_inventory), "up", "--detach"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert up.returncode == 0, up.stdout + up.stderr
    assert _simlab(cli_inventory, "down").returncode == 0
    assert not _storage_leftovers(), f"storage left behind: {_storage_leftovers()}"
    assert not _netns(), f"namespaces left behind: {_netns()}"


def test_faults_lists_ready_to_run_commands(cli_inventory: Path) -> None:
    out = _simlab(cli_inventory, "faults").stdout.splitlines()
    assert len(out) >= 30
    commands = {line.split("  ")[0].strip() for line in out}
    assert "host-disabled xen2" in commands
    assert "switch-member-shutdown cisco-stack Gi2/0/13" in commands


def test_fault_needs_a_running_twin_and_says_so(cli_inventory: Path) -> None:
    run = _simlab(cli_inventory, "fault", "host-disabled", "xen2")
    assert run.returncode == 2
    assert run.stderr.strip().startswith("simlab: no twin is up for"), run.stderr


def test_bad_fault_arguments_are_one_line(cli_inventory: Path) -> None:
    up = _simlab(cli_inventory, "up", "--detach")
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        for args, expected in [
            (("nope",), "unknown fault 'nope'; `simlab faults` lists them"),
            (("host-disabled",), "usage: simlab fault host-disabled HOST"),
            (("host-disabled", "xen9"), "no host 'xen9' (hosts: xen1, xen2)"),
            (("storage-mtu", "jumbo"), "MTU must be a number, not 'jumbo'"),
        ]:
            run = _simlab(cli_inventory, "fault", *args)
            # the whole line, closing quote included
            assert run.returncode == 2 and run.stderr.rstrip("\n").endswith(expected), run.stderr
            assert len(run.stderr.splitlines()) == 1, run.stderr
        assert _simlab(cli_inventory, "fault", "host-disabled", "xen2").returncode == 0
        status = _simlab(cli_inventory, "status").stdout
        assert "faults: host-disabled xen2" in status
        assert "healed host-disabled xen2" in _simlab(cli_inventory, "heal").stdout
    finally:
        _simlab(cli_inventory, "down")


def test_bare_fault_says_what_it_wants(cli_inventory: Path) -> None:
    run = _simlab(cli_inventory, "fault")
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert lines[0] == "usage: simlab fault NAME [ARGS]; the faults this lab has:", run.stderr
    assert any(line.startswith("host-disabled xen2 ") for line in lines[1:]), run.stderr


def test_second_up_refuses(cli_inventory: Path) -> None:
    assert _simlab(cli_inventory, "up", "--detach").returncode == 0
    try:
        again = _simlab(cli_inventory, "up", "--detach")
        assert again.returncode == 1 and "already up" in again.stderr
    finally:
        _simlab(cli_inventory, "down")
    assert os.path.exists(cli_inventory)
