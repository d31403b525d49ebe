"""Where a twin keeps its state, how to find a running one, and how to talk to it.

A running twin owns a state directory (one per inventory file) holding
``state.json`` (pid, endpoints), ``control.sock`` (JSON lines: ping, status,
faults, fault, heal, down), ``twin.log`` and generated keys. Anything that wants
the twin — the CLI, the pytest fixture, the project's tests — goes through here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xenlab.inventory.secrets import redact

if TYPE_CHECKING:
    from simlab.twin import Twin
    from xenlab.inventory.schema import Inventory

START_TIMEOUT_S = 120.0
CONTROL_TIMEOUT_S = 60.0


class TwinError(RuntimeError):
    """The twin could not be started or reached; str() is one line."""


def state_dir_for(inventory: Inventory) -> Path:
    base = Path(os.environ.get("SIMLAB_STATE_DIR") or f"/tmp/simlab-{os.getuid()}")
    digest = hashlib.sha1(str(Path(inventory.source).resolve()).encode()).hexdigest()[:8]
    return base / f"{inventory.lab.name}-{digest}"


def _alive(pid: int) -> bool:
    try:  # a twin this process started and that has exited is a zombie until reaped
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # exited but not yet reaped by its parent (another process): as good as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@dataclass
class RunningTwin:
    """A handle on a twin that is up, in this process or another."""

    state_dir: Path
    pid: int
    endpoints: list[str]

    def request(self, op: str, timeout: float = CONTROL_TIMEOUT_S, **params: Any) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            try:
                sock.connect(str(self.state_dir / "control.sock"))
                sock.sendall(json.dumps({"op": op, **params}).encode() + b"\n")
                data = b""
                while not data.endswith(b"\n"):
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError as exc:
                raise TwinError(f"twin at {self.state_dir} does not answer: {exc}") from None
        reply = json.loads(data or b'{"ok": false, "error": "no reply"}')
        if not reply.get("ok"):
            raise TwinError(reply.get("error", "request failed"))
        return reply

    def fault(self, name: str, *args: str) -> None:
        self.request("fault", name=name, args=list(args))

    def heal(self, name: str | None = None) -> None:
        self.request("heal", name=name)

    def stop(self, timeout: float = 60) -> None:
        with contextlib.suppress(TwinError):  # already gone: wait for the pid below anyway
            self.request("down", timeout=5)
        deadline = time.monotonic() + timeout
        while _alive(self.pid) and self.pid != os.getpid() and time.monotonic() < deadline:
            time.sleep(0.1)


def find_running(inventory: Inventory) -> RunningTwin | None:
    state_dir = state_dir_for(inventory)
    try:
        state = json.loads((state_dir / "state.json").read_text())
    except (OSError, ValueError):
        return None
    if not state.get("ready") or not _alive(int(state["pid"])):
        return None
    twin = RunningTwin(state_dir, int(state["pid"]), state.get("endpoints", []))
    try:
        twin.request("ping", timeout=5)
    except TwinError:
        return None
    return twin


def start_detached(inventory: Inventory, timeout: float = START_TIMEOUT_S) -> RunningTwin:
    """Start `simlab up` for this inventory in the background and wait until it serves."""
    state_dir = state_dir_for(inventory)
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "twin.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simlab", "up", "--inventory", inventory.source],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
            raise TwinError(f"twin exited ({proc.returncode}): {tail[-1] if tail else 'no output'} (log: {log_path})")
        twin = find_running(inventory)
        if twin is not None:
            return twin
        time.sleep(0.05)
    proc.terminate()
    raise TwinError(f"twin did not come up within {timeout:.0f} s (log: {log_path})")


class _ControlHandler(socketserver.StreamRequestHandler):
    server: _ControlServer

    def handle(self) -> None:
        try:
            request = json.loads(self.rfile.readline() or b"{}")
            reply = {"ok": True, **self.server.control.handle(request)}
        except Exception as exc:  # every failure goes back to the caller as one line
            reply = {"ok": False, "error": redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__}
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class _ControlServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, control: Control) -> None:
        self.control = control
        super().__init__(path, _ControlHandler)


class Control:
    """Serves a Twin's control socket and state file until `down`."""

    def __init__(self, twin: Twin) -> None:
        self.twin = twin
        self.stopped = threading.Event()
        sock = twin.state_dir / "control.sock"
        sock.unlink(missing_ok=True)
        self._server = _ControlServer(str(sock), self)
        # A short poll: `down` returns as soon as the twin is gone, not up to half a second later.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="simlab-control", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._write_state(ready=True)

    def close(self) -> None:
        self._write_state(ready=False)
        self._server.shutdown()
        self._server.server_close()
        (self.twin.state_dir / "control.sock").unlink(missing_ok=True)

    def _write_state(self, ready: bool) -> None:
        state = {"pid": os.getpid(), "ready": ready, "lab": self.twin.inventory.lab.name,
                 "inventory": self.twin.inventory.source, "endpoints": self.twin.endpoints()}
        tmp = self.twin.state_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.twin.state_dir / "state.json")

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        from simlab.faults.registry import FaultError

        lab = self.twin.lab
        op = request.get("op")
        if op == "ping":
            return {}
        if op == "status":
            with lab.lock:
                return {"lab": lab.name, "pid": os.getpid(), "endpoints": self.twin.endpoints(),
                        "faults": [str(a) for a in lab.faults.active], "counters": dict(lab.counters)}
        if op == "fault":
            try:
                entry = lab.faults.inject(request["name"], list(request.get("args", [])))
            except KeyError as exc:  # a request without a name; str(KeyError) adds quotes
                raise RuntimeError(f"the fault request lacks {exc.args[0]!r}") from None
            except FaultError as exc:
                raise RuntimeError(str(exc)) from None
            self.twin.settle()  # `simlab fault X` then `pytest` must see X
            return {"fault": str(entry)}
        if op == "heal":
            try:
                healed = lab.faults.heal(request.get("name"))
            except FaultError as exc:
                raise RuntimeError(str(exc)) from None
            self.twin.settle()
            return {"healed": [str(a) for a in healed]}
        if op == "down":
            self.stopped.set()
            return {}
        raise RuntimeError(f"unknown control op {op!r}")
