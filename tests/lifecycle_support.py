"""What a twin leaves on the machine, seen from outside: processes, namespaces, listeners, state."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from simlab.runtime import find_running, state_dir_for
from tests.children import child_env
from tests.harness import ROOT
from xenlab.inventory import load_inventory


def _argv(pid: int | str) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _parent(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return "0"


def twin_processes(inventory: Path) -> list[int]:
    """Pids of `simlab up` processes serving this inventory file (not their short-lived forks)."""
    wanted = str(inventory.resolve()).encode()

    def serves(pid: int | str) -> bool:
        argv = _argv(pid)
        return b"simlab" in argv and b"up" in argv and wanted in argv

    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and serves(entry.name) and not serves(_parent(entry.name))
    ]


def namespaces(tag: str) -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if tag in line}


def listening(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((address, port)) == 0


def leftovers(inventory: Path, octet: int, tag: str) -> list[str]:
    """Everything of this lab still on the machine, one line each (empty when nothing is left)."""
    found = [f"twin process {pid}" for pid in twin_processes(inventory)]
    found += [f"namespace {ns}" for ns in sorted(namespaces(tag))]
    found += [
        f"listener {a}:{p}"
        for a, p in [
            (f"127.{octet}.0.11", 8443),
            (f"127.{octet}.0.12", 8443),
            (f"127.{octet}.1.1", 2222),
            (f"127.{octet}.0.11", 2222),
        ]
        if listening(a, p)
    ]
    state = state_dir_for(load_inventory(inventory))
    if state.is_dir() and any(p.name != "twin.log" for p in state.iterdir()):
        found.append(f"state {sorted(p.name for p in state.iterdir())}")
    return found


def wait_for(condition, timeout: float, step: float = 0.02) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def wait_clean(inventory: Path, octet: int, tag: str, timeout: float = 30) -> list[str]:
    wait_for(lambda: not leftovers(inventory, octet, tag), timeout, 0.2)
    return leftovers(inventory, octet, tag)


def pytest_session(inventory: Path, *args: str, suite: str = "suites/pool") -> subprocess.Popen[str]:
    """A pytest run as a user starts it from a terminal: its own process group, as Ctrl-C reaches it."""
    env = child_env()
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", suite, f"--inventory={inventory}", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def ctrl_c(proc: subprocess.Popen[str]) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the foreground process group (pytest and its workers)."""
    os.killpg(proc.pid, signal.SIGINT)


def running(inventory: Path) -> bool:
    return find_running(load_inventory(inventory)) is not None
