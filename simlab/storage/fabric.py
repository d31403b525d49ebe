"""Real iSCSI between the hosts and the target: PBD plug/unplug, the sessions' health, block I/O on VDIs.

The storage face sets ``lab.iscsi`` to a ``Fabric`` while tgtd runs. Then:

- ``PBD.plug`` of an iSCSI SR logs in for real from the host's namespace (its storage address) with
  the PBD's CHAP credentials (``device_config:chapuser`` and the xapi secret it names) and keeps the
  session in ``pbd.session`` until ``PBD.unplug`` logs out. A refused login raises ``PlugError`` with
  the target's reason; the XenAPI face turns it into ``SR_BACKEND_FAILURE_*``.
- A health pass (``check``) sends TEST UNIT READY on every session, as iscsid's NOP-Outs do: a cut
  link or a stopped target turns the session FAILED (dom0's ``iscsiadm`` shows it); a failed session is
  logged in again when the path is back (iscsid's recovery), with the credentials it has.

For HA (storage heartbeats) and anything else that does I/O on a VDI:

    dev = lab.iscsi.device(host_name, vdi)     # the VDI's region of its LUN over that host's session
    dev.write(0, block_aligned_bytes)          # offsets are relative to the VDI; raises IscsiError("io")
    data = dev.read(0, 512)

``pool.ha_statefiles`` are ``lab.ha_statefiles()`` (VDIs whose ``region`` is their LBA range on the
heartbeat SR's LUN). ``session_of(host, sr)`` gives the raw ``xenlab.iscsi.Session``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xenlab import iscsi

if TYPE_CHECKING:
    from simlab.model.lab import Lab
    from simlab.model.storage import PBD, SR, VDI

log = logging.getLogger("simlab.storage")
LOGIN_TIMEOUT_S = 5


class PlugError(RuntimeError):
    """A refused plug: ``kind`` as xenlab.iscsi.IscsiError, message naming the target and its reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class VdiDevice:
    """Block I/O on one VDI's region of its LUN, over one host's session."""

    session: iscsi.Session
    first_lba: int
    blocks: int

    @property
    def size(self) -> int:
        return self.blocks * self.session.block_size

    def _lba(self, offset: int, length: int) -> int:
        bs = self.session.block_size
        if offset % bs or length % bs or offset < 0 or offset + length > self.size:
            raise ValueError(
                f"I/O of {length} bytes at {offset} is outside the VDI's {self.size} bytes or not {bs}-byte aligned"
            )
        return self.first_lba + offset // bs

    def read(self, offset: int, length: int) -> bytes:
        return self.session.read(self._lba(offset, length), length // self.session.block_size)

    def write(self, offset: int, data: bytes) -> None:
        self.session.write(self._lba(offset, len(data)), data)


def _check_one(session: iscsi.Session) -> None:
    try:
        if session.logged_in:
            session.test_unit_ready()
        elif session.state == "FAILED":
            session.relogin()
    except iscsi.IscsiError as exc:
        if exc.kind == "io" and session.logged_in:
            return  # the LUN answered (e.g. it was removed): the transport is fine
        if session.state != "FREE":
            session.state = "FAILED"


class Fabric:
    def __init__(self, lab: Lab, host_ns: dict[str, str], timeout: float = LOGIN_TIMEOUT_S) -> None:
        self.lab = lab
        self.host_ns = host_ns  # host name -> its network namespace
        self.timeout = timeout
        self._lock = threading.Lock()  # one plug/unplug/health pass at a time

    # -- plug / unplug --------------------------------------------------------------------------
    def credentials(self, pbd: PBD) -> iscsi.Chap | None:
        user = pbd.device_config.get("chapuser")
        secret = self.lab.secrets.get(pbd.device_config.get("chappassword_secret", ""))
        if not user:
            return None
        return iscsi.Chap(user, secret.reveal() if secret is not None else "")

    def login(self, sr: SR, pbd: PBD) -> iscsi.Session:
        """A new session for the PBD (not yet stored); PlugError if the target refuses."""
        host = self.lab.hosts[pbd.host]
        config = pbd.device_config
        portal = f"{config.get('target', sr.target or '')}:{config.get('port', '3260')}"
        try:
            return iscsi.login(
                portal,
                config.get("targetIQN", sr.iqn or ""),
                sr.lun or 0,
                host.iscsi_iqn,
                self.credentials(pbd),
                ns=self.host_ns.get(pbd.host),
                timeout=self.timeout,
            )
        except iscsi.IscsiError as exc:
            raise PlugError(exc.kind, f"{pbd.host}: {exc}") from None

    def plug(self, sr: SR, pbd: PBD) -> None:
        """Log in and keep the session on the PBD; the SR's size becomes what the LUN reports."""
        with self._lock:
            session = self.login(sr, pbd)
            old, pbd.session = pbd.session, session
            if old is not None:
                old.logout()
            if session.capacity:
                sr.physical_size = session.capacity

    def unplug(self, pbd: PBD) -> None:
        with self._lock:
            session, pbd.session = pbd.session, None
        if session is not None:
            session.logout()

    def plug_all(self) -> None:
        """At boot every host plugs its PBDs; one that fails stays unplugged, with the reason logged."""
        for sr, pbd in self._iscsi_pbds():
            if not pbd.attached or pbd.session is not None:
                continue
            try:
                self.plug(sr, pbd)
                pbd.last_error = None
            except PlugError as exc:
                pbd.attached, pbd.last_error = False, str(exc)
                log.warning("PBD of %s on %s not plugged: %s", sr.name, pbd.host, exc)

    def close(self) -> None:
        for _, pbd in self._iscsi_pbds():
            self.unplug(pbd)

    def _iscsi_pbds(self) -> list[tuple[SR, PBD]]:
        with self.lab.lock:
            return [(sr, pbd) for sr in self.lab.srs.values() if sr.is_iscsi for pbd in sr.pbds]

    # -- health and recovery (iscsid's NOP-Out and session recovery) -------------------------------
    def check(self) -> bool:
        """One pass over the sessions, in parallel (a dead path costs one timeout, not one per session)."""
        sessions = [pbd.session for _, pbd in self._iscsi_pbds() if pbd.session is not None]
        before = [s.state for s in sessions]
        threads = [threading.Thread(target=_check_one, args=(s,), name="simlab-iscsi-check") for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [s.state for s in sessions] != before

    # -- block I/O for HA and friends --------------------------------------------------------------
    def session_of(self, host: str, sr: SR) -> iscsi.Session | None:
        pbd = sr.pbd_of(host)
        return pbd.session if pbd is not None and pbd.attached else None

    def device(self, host: str, vdi: VDI) -> VdiDevice:
        """The VDI's region over ``host``'s session; IscsiError("io") when the host has no live session."""
        sr = self.lab.sr_of_vdi(vdi.uuid)
        session = self.session_of(host, sr) if sr is not None else None
        if session is None or vdi.region is None:
            where = sr.name if sr is not None else "no SR"
            raise iscsi.IscsiError("io", f"{host} has no iSCSI session to {where} for VDI {vdi.name}")
        bs = session.block_size
        return VdiDevice(session, vdi.region.offset // bs, vdi.region.size // bs)
