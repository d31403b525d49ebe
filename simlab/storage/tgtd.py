"""tgtd, the storage server's iSCSI target: started in its namespace, configured with tgtadm, stopped for sure.

Everything machine-wide is derived from the lab's tag (``simlab.model.netnames.lab_tag``):
the control port ``tgtd -C n`` (its socket ``/run/tgtd/socket.n``) and the folder of backing files
``/run/simlab/storage-<tag>/``. So two labs never share a target, and the leftovers of a crashed twin
of the same lab are found by name and removed before the next start.

tgtd ignores SIGTERM: it is stopped with ``tgtadm --op delete --mode system`` (after deleting the
targets with ``--force``), then SIGKILL if it is still there. It runs with PR_SET_PDEATHSIG=SIGKILL so
``kill -9`` of the twin takes it along; the start-time sweep catches anything that still escaped.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("simlab.storage")
SOCKET_DIR = Path("/run/tgtd")
STATE_ROOT = Path("/run/simlab")
PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 10
ADM_TIMEOUT_S = 10


class TgtdError(RuntimeError):
    pass


def control_port(tag: str) -> int:
    """tgtd's control port for a lab: stable, apart from the default (0) and other labs', below tgtd's 32768."""
    return 1000 + int(hashlib.sha1(f"simlab-tgtd/{tag}".encode()).hexdigest(), 16) % 31000


@dataclass(frozen=True)
class LunSpec:
    tid: int
    lun: int
    size_bytes: int
    path: Path


def _die_with_parent() -> None:  # runs in the child between fork and exec
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def tgtd_pids(port: int) -> list[int]:
    """Processes that are tgtd with our control port (a crashed twin's included)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"tgtd") and (b"-C" in argv and str(port).encode() in argv):
            pids.append(int(proc.name))
    return pids


class Tgtd:
    """One tgtd for one lab's storage server, in that server's namespace."""

    def __init__(self, tag: str, ns: str, portal: str) -> None:
        self.port = control_port(tag)
        self.ns, self.portal = ns, portal
        self.dir = STATE_ROOT / f"storage-{tag}"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return SOCKET_DIR / f"socket.{self.port}"

    def lun_path(self, iqn: str, lun: int) -> Path:
        return self.dir / f"{hashlib.sha1(iqn.encode()).hexdigest()[:12]}-lun{lun}.img"

    # -- life cycle ---------------------------------------------------------------------------------
    def remove_leftovers(self) -> list[str]:
        """Kill a tgtd of this lab that is still running and delete its socket and backing files."""
        removed = []
        for pid in tgtd_pids(self.port):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                removed.append(f"tgtd pid {pid}")
        for path in (self.socket, Path(f"{self.socket}.lock")):
            if path.exists():
                path.unlink(missing_ok=True)
                removed.append(str(path))
        if self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            removed.append(str(self.dir))
        return removed

    def start(self) -> None:
        """Start tgtd (call from a thread that lives as long as the target: PDEATHSIG follows it)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        log_file = open(self.dir / "tgtd.log", "ab")  # noqa: SIM115  (owned by the process)
        self.proc = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.ns,
                "tgtd",
                "-f",
                "-C",
                str(self.port),
                "-t",
                "2",
                "--iscsi",
                f"portal={self.portal}:3260",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log_file.close()
        (self.dir / "tgtd.pid").write_text(f"{self.proc.pid}\n")
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = (self.dir / "tgtd.log").read_text(errors="replace").strip().splitlines()
                raise TgtdError(f"tgtd exited ({self.proc.returncode}): {tail[-1] if tail else 'no output'}")
            if self.socket.exists() and self._adm("--op", "show", "--mode", "sys", check=False)[0] == 0:
                return
            time.sleep(0.05)
        raise TgtdError(f"tgtd did not answer on {self.socket} within {START_TIMEOUT_S} s")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Delete every target (dropping sessions) and the system; SIGKILL what does not go."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(TgtdError):
                for tid in self.tids():
                    self._adm("--op", "delete", "--mode", "target", "--tid", str(tid), "--force", check=False)
                self._adm("--op", "delete", "--mode", "system", check=False)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        for path in (self.socket, Path(f"{self.socket}.lock")):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop and remove the backing files: nothing of this lab's target is left."""
        self.stop()
        self.remove_leftovers()

    # -- configuration ------------------------------------------------------------------------------
    def _adm(self, *args: str, check: bool = True) -> tuple[int, str]:
        try:
            proc = subprocess.run(
                ["tgtadm", "-C", str(self.port), "--lld", "iscsi", *args],
                capture_output=True,
                text=True,
                timeout=ADM_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            raise TgtdError(f"tgtadm {' '.join(args[:4])} timed out") from None
        out = (proc.stdout + proc.stderr).strip()
        if check and proc.returncode != 0:
            safe = [a if prev != "--password" else "***" for prev, a in zip(("", *args), args, strict=False)]
            raise TgtdError(f"tgtadm {' '.join(safe)}: {out or proc.returncode}")
        return proc.returncode, out

    def tids(self) -> list[int]:
        _, out = self._adm("--op", "show", "--mode", "target", check=False)
        return [int(line.split()[1].rstrip(":")) for line in out.splitlines() if line.startswith("Target ")]

    def add_target(self, tid: int, iqn: str) -> None:
        self._adm("--op", "new", "--mode", "target", "--tid", str(tid), "-T", iqn)
        self._adm("--op", "bind", "--mode", "target", "--tid", str(tid), "-I", "ALL")

    def delete_target(self, tid: int) -> None:
        self._adm("--op", "delete", "--mode", "target", "--tid", str(tid), "--force")

    def add_lun(self, spec: LunSpec) -> None:
        """A sparse backing file of the LUN's size, exported as ``lun`` of target ``tid``."""
        with open(spec.path, "ab") as f:
            f.truncate(spec.size_bytes)
        self._adm(
            "--op", "new", "--mode", "logicalunit", "--tid", str(spec.tid), "--lun", str(spec.lun), "-b", str(spec.path)
        )

    def delete_lun(self, tid: int, lun: int, path: Path | None = None) -> None:
        self._adm("--op", "delete", "--mode", "logicalunit", "--tid", str(tid), "--lun", str(lun))
        if path is not None:
            path.unlink(missing_ok=True)

    def set_account(self, user: str, password: str, tids: list[int]) -> None:
        """The CHAP account every target requires; replaces an existing one of that user."""
        _, out = self._adm("--op", "show", "--mode", "account", check=False)
        if user in out.split():
            for tid in tids:
                self._adm("--op", "unbind", "--mode", "account", "--tid", str(tid), "--user", user, check=False)
            self._adm("--op", "delete", "--mode", "account", "--user", user)
        self._adm("--op", "new", "--mode", "account", "--user", user, "--password", password)
        for tid in tids:
            self._adm("--op", "bind", "--mode", "account", "--tid", str(tid), "--user", user)
