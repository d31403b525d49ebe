"""Where a twin keeps its state, how to find a running one, how to talk to it, and what it leaves behind.

A running twin owns a state directory (one per inventory file, mode 0700) holding
``state.json`` (pid, endpoints, whether sessions lease it), ``control.sock`` (JSON lines:
ping, status, faults, fault, heal, down), ``twin.log`` and generated keys; it removes the
directory when it stops. Anything that wants the twin — the CLI, the pytest fixture, the
project's tests — goes through here and ``simlab.leases`` (sessions sharing one twin).

Every way a twin ends goes through one path. A clean stop (Ctrl-C, SIGTERM, SIGHUP, ``down``,
the last lease released) stops the faces in reverse order, then runs each face module's
``sweep(inventory)``, then releases the twin's claims (``simlab.claims``). A twin that could
not clean up (``kill -9``, a crash) leaves its lab claim free, and the next start of that lab
calls ``clean_leftovers``: it stops a twin process that no longer answers, runs every face's
``sweep`` and says what it removed. So a face that creates anything outside its process
(a namespace, a tgtd, a BMC endpoint) names it from the lab name and gives its module a
``sweep(inventory) -> list[str]`` that removes every such thing of that lab and says what it removed.
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

from simlab.errors import TwinError
from xenlab.inventory.secrets import redact

if TYPE_CHECKING:
    from simlab.twin import Twin
    from xenlab.inventory.schema import Inventory

START_TIMEOUT_S = 120.0
CONTROL_TIMEOUT_S = 60.0


def state_dir_for(inventory: Inventory) -> Path:
    base = Path(os.environ.get("SIMLAB_STATE_DIR") or f"/tmp/simlab-{os.getuid()}")
    digest = hashlib.sha1(str(Path(inventory.source).resolve()).encode()).hexdigest()[:8]
    return base / f"{inventory.lab.name}-{digest}"


def alive(pid: int) -> bool:
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


_alive = alive


@dataclass
class RunningTwin:
    """A handle on a twin that is up, in this process or another."""

    state_dir: Path
    pid: int
    endpoints: list[str]
    leased: bool = False  # started for sessions: stops when the last lease is released

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
    twin = RunningTwin(state_dir, int(state["pid"]), state.get("endpoints", []), bool(state.get("leased")))
    try:
        twin.request("ping", timeout=5)
    except TwinError:
        return None
    return twin


def read_state(state_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((state_dir / "state.json").read_text())
    except (OSError, ValueError):
        return {}


def start_detached(inventory: Inventory, timeout: float = START_TIMEOUT_S, leased: bool = False) -> RunningTwin:
    """Start `simlab up` for this inventory in the background and wait until it serves.

    However this wait ends (the twin failed, the timeout, Ctrl-C), a twin that is not serving
    is stopped before returning: an interrupted start leaves nothing running.
    """
    state_dir = state_dir_for(inventory)
    make_state_dir(state_dir)
    log_path = state_dir / "twin.log"
    command = [
        sys.executable,
        "-m",
        "simlab",
        "up",
        "--spawned",
        "--inventory",
        inventory.source,
        *(["--leased"] if leased else []),
    ]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
                raise TwinError(
                    f"twin exited ({proc.returncode}): {tail[-1] if tail else 'no output'} (log: {log_path})"
                )
            twin = find_running(inventory)
            if twin is not None:
                return twin
            time.sleep(0.05)
        raise TwinError(f"twin did not come up within {timeout:.0f} s (log: {log_path})")
    except BaseException:
        _stop_process(proc)
        raise


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the twin's clean path), then SIGKILL to its whole group; ignores a second Ctrl-C meanwhile."""
    import signal

    previous = (
        signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
    )
    try:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def make_state_dir(state_dir: Path) -> None:
    """The state directory, readable by its owner only (it holds private keys)."""
    state_dir.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    state_dir.mkdir(exist_ok=True, mode=0o700)
    state_dir.chmod(0o700)


def _is_twin_process(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"simlab" in argv and b"up" in argv


def clean_leftovers(inventory: Inventory) -> list[str]:
    """Stop and remove what an earlier twin of this inventory left (call under the start lock, no twin up).

    Returns one line per thing removed, for the caller to report. Nothing of a twin that is alive and
    holds the lab's claim is touched (a twin of the same lab from another inventory file).
    """
    import signal

    from simlab.claims import ClaimError, Claims, lab_key
    from simlab.faces import sweep_faces

    state_dir = state_dir_for(inventory)
    found: list[str] = []
    pid = int(read_state(state_dir).get("pid") or 0)
    if pid and pid != os.getpid() and alive(pid) and _is_twin_process(pid):
        found.append(f"twin process {pid} (not answering)")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    claims = Claims(f"pid {os.getpid()}, cleaning up {inventory.source}")
    try:
        claims.take(lab_key(inventory.lab.name), f"lab {inventory.lab.name!r}")
    except ClaimError:
        return found  # a live twin of this lab (another inventory file): starting will say so
    try:
        found += sweep_faces(inventory)
    finally:
        claims.release_all()
    for name in ("state.json", "control.sock"):
        if (state_dir / name).exists():
            (state_dir / name).unlink(missing_ok=True)
    return found


def retire_state(state_dir: Path, keep_log: bool = False) -> None:
    """Remove a stopped twin's state directory (keys included); with keep_log, leave twin.log for the reader."""
    import shutil

    if not state_dir.is_dir():
        return
    for entry in state_dir.iterdir():
        if keep_log and entry.name == "twin.log":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    if not keep_log:
        with contextlib.suppress(OSError):
            state_dir.rmdir()


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

    def __init__(self, twin: Twin, leased: bool = False) -> None:
        self.twin = twin
        self.leased = leased
        self.stopped = threading.Event()
        sock = twin.state_dir / "control.sock"
        sock.unlink(missing_ok=True)
        self._server = _ControlServer(str(sock), self)
        # A short poll: `down` returns as soon as the twin is gone, not up to half a second later.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="simlab-control", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        self._write_state(ready=True)

    def begin_stop(self) -> None:
        """No longer ready (no session may take it from now on), and stopping."""
        if not self.stopped.is_set():
            self._write_state(ready=False)
            self.stopped.set()

    def close(self) -> None:
        self._write_state(ready=False)
        self._server.shutdown()
        self._server.server_close()
        (self.twin.state_dir / "control.sock").unlink(missing_ok=True)

    def _write_state(self, ready: bool) -> None:
        state = {
            "pid": os.getpid(),
            "ready": ready,
            "leased": self.leased,
            "lab": self.twin.inventory.lab.name,
            "inventory": self.twin.inventory.source,
            "endpoints": self.twin.endpoints(),
        }
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
                return {
                    "lab": lab.name,
                    "pid": os.getpid(),
                    "endpoints": self.twin.endpoints(),
                    "faults": [str(a) for a in lab.faults.active],
                    "counters": dict(lab.counters),
                }
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
            self.begin_stop()
            return {}
        raise RuntimeError(f"unknown control op {op!r}")
