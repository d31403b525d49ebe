"""The storage face: a real iSCSI target (tgtd) in the storage server's namespace, and the hosts' sessions to it.

It follows the model like the data plane does: the target serves while the storage server is powered
and ``target_running``; its targets, LUNs (sparse files of the model's sizes) and CHAP account are the
model's (a fault that changes the target's CHAP secret changes tgtd's account). At start it removes
what a crashed twin of the same lab left (``simlab.storage.tgtd``), then plugs every PBD for real
(``simlab.storage.fabric``) and keeps checking the sessions. Needs the data plane (root).
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simlab.model.lab import Lab
from simlab.model.netnames import Names, lab_tag
from simlab.storage.fabric import Fabric
from simlab.storage.tgtd import LunSpec, Tgtd, TgtdError
from xenlab import iscsi, netns

if TYPE_CHECKING:
    from simlab.twin import Twin
    from xenlab.inventory.schema import Inventory

log = logging.getLogger("simlab.storage")
HEALTH_INTERVAL_S = 2.0
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class TargetState:
    """What tgtd should serve (and, once applied, serves)."""

    running: bool
    chap: tuple[str, str] | None  # (user, password)
    luns: dict[tuple[str, int], int] = field(default_factory=dict)  # (iqn, lun) -> size in bytes


def desired(lab: Lab) -> TargetState:
    """Call with ``lab.lock`` held."""
    st = lab.storage
    assert st is not None
    chap = (st.chap_user, st.chap_password.reveal()) if st.chap_user and st.chap_password is not None else None
    luns = {(t.iqn, lun.id): lun.size_bytes for t in st.targets for lun in t.luns}
    return TargetState(st.powered and st.target_running, chap, luns)


class StorageFace:
    name = "storage"

    def __init__(self, lab: Lab, names: Names) -> None:
        assert lab.storage is not None
        self.lab, self.names = lab, names
        self.tgtd = Tgtd(lab_tag(lab.name), names.storage_ns(lab.storage.name), lab.storage.portal)
        self.fabric = Fabric(lab, {h: names.host_ns(h) for h in lab.hosts})
        self.applied = TargetState(False, None)
        self.tids: dict[str, int] = {}
        self.applied_generation = -1
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._idle = threading.Condition()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    # -- Face -------------------------------------------------------------------------------
    def start(self) -> None:
        leftovers = self.tgtd.remove_leftovers()
        if leftovers:
            log.warning("removed what an earlier twin of this lab left: %s", ", ".join(leftovers))
        self.lab.subscribe(lambda _lab: self._wake.set())
        self._thread = threading.Thread(target=self._run, name="simlab-storage", daemon=True)
        self._thread.start()  # tgtd dies with the thread that started it (PDEATHSIG): start it there
        self._ready.wait(START_TIMEOUT_S)
        error = self._error or (None if self._ready.is_set() else TimeoutError("storage did not come up"))
        if error is not None:
            self.stop()
            raise RuntimeError(f"iSCSI target did not come up: {error}") from error
        atexit.register(self.stop)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.lab.iscsi = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        self._thread = None
        self._close()  # again, in case the worker never ran or died: closing twice is harmless
        atexit.unregister(self.stop)

    def _close(self) -> None:
        self.fabric.close()
        self.tgtd.close()

    def endpoints(self) -> list[str]:
        st = self.lab.storage
        assert st is not None
        with self.lab.lock:
            sessions = sum(1 for sr in self.lab.srs.values() for p in sr.pbds if p.session is not None)
        return [
            f"storage {st.name}: iSCSI portal {st.portal}:3260 (tgtd -C {self.tgtd.port}, "
            f"{len(st.targets)} targets), {sessions} host sessions"
        ]

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until tgtd and the sessions' states reflect every model change made before this call."""
        with self.lab.lock:
            target = self.lab.generation
        self._wake.set()
        with self._idle:
            return self._idle.wait_for(lambda: self.applied_generation >= target, timeout)

    # -- the worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._pass()
            self.lab.iscsi = self.fabric
            self.fabric.plug_all()
            self.lab.changed()  # PBDs that could not plug, and the SRs' sizes, as the LUNs report them
        except BaseException as exc:
            self._error = exc
            return
        finally:
            self._ready.set()
        try:
            while not self._stopping.is_set():
                self._wake.wait(HEALTH_INTERVAL_S)
                if self._stopping.is_set():
                    return
                self._wake.clear()
                try:
                    self._pass()
                except Exception:
                    log.exception("storage reconcile failed")
        finally:
            self._close()  # here: tgtd dies with this thread, so stop it in order first

    def _pass(self) -> None:
        with self.lab.lock:
            generation = self.lab.generation
            want = desired(self.lab)
        self._apply(want)
        if self.fabric.check():
            self.lab.changed()
        with self._idle:
            self.applied_generation = generation
            self._idle.notify_all()

    def _apply(self, want: TargetState) -> None:
        if want == self.applied and (not want.running or self.tgtd.running()):
            return
        if not want.running:
            if self.tgtd.running():
                log.info("stopping the iSCSI target")
                self.tgtd.stop()
            self.applied = TargetState(False, None)
            return
        if not self.tgtd.running():
            self.tgtd.start()
            self.applied, self.tids = TargetState(True, None), {}
        have = self.applied
        for iqn in dict.fromkeys(iqn for iqn, _ in want.luns):
            if iqn not in self.tids:
                self.tids[iqn] = max(self.tids.values(), default=0) + 1
                self.tgtd.add_target(self.tids[iqn], iqn)
        for key, size in have.luns.items():
            if want.luns.get(key) != size:
                self.tgtd.delete_lun(self.tids[key[0]], key[1], self.tgtd.lun_path(*key))
        for key, size in want.luns.items():
            if have.luns.get(key) != size:
                self.tgtd.add_lun(LunSpec(self.tids[key[0]], key[1], size, self.tgtd.lun_path(*key)))
        if want.chap != have.chap and want.chap is not None:
            self.tgtd.set_account(*want.chap, list(self.tids.values()))
        self.applied = want


def sweep(inventory: Inventory) -> list[str]:
    """What a killed twin of this lab left of its target (tgtd, its socket, backing files): removed, one line each."""
    if inventory.storage is None:
        return []
    names = Names(inventory.lab.name, inventory.probe.netns)
    tgtd = Tgtd(lab_tag(inventory.lab.name), names.storage_ns(inventory.storage.name), str(inventory.storage.portal))
    return tgtd.remove_leftovers()


def make(twin: Twin) -> StorageFace | None:
    lab = twin.lab
    if lab.storage is None or not lab.storage.targets:
        return None
    names = Names(lab.name, lab.probe.netns)
    reason = iscsi.unavailable_reason()
    if reason is None and not netns.exists(names.storage_ns(lab.storage.name)):
        reason = "the storage server's namespace does not exist (the data plane needs root)"
    if reason is None and not _tgtd_installed():
        reason = "tgtd is not installed (Debian tgt)"
    if reason is not None:
        log.warning("iSCSI target not started: %s; PBDs plug in the model only", reason)
        return None
    return StorageFace(lab, names)


def _tgtd_installed() -> bool:
    import shutil

    return shutil.which("tgtd") is not None and shutil.which("tgtadm") is not None


__all__ = ["StorageFace", "TgtdError", "make"]
