"""An iSCSI initiator: libiscsi's C library through ctypes, sockets opened inside a network namespace.

Why libiscsi's C library (Debian ``libiscsi7``) through ctypes: it is a complete userspace initiator
(discovery, CHAP, SCSI commands) already on the machine with ``libiscsi-bin``; a session is a context
that stays open as long as we hold it, which is what a plugged PBD needs; the connecting thread can
enter a namespace first (``xenlab.netns.inside``) so the TCP connection belongs to that host's network
while the object is then used from any thread. The CLI tools (``iscsi-ls``) cannot hold a session,
and the Python bindings (cython-iscsi) need a compiler and ``libiscsi-dev`` on every machine.

Errors are typed: ``kind`` is ``auth`` (CHAP refused), ``no-target`` (no such IQN on the portal),
``unreachable`` (no TCP connection to the portal), ``login`` (another login refusal), ``io``
(a SCSI command failed or timed out on a logged-in session).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from xenlab import netns

DEFAULT_TIMEOUT_S = 5
ISCSI_PORT = 3260
SESSION_DISCOVERY = 1
SESSION_NORMAL = 2
HEADER_DIGEST_NONE_CRC32C = 1
SCSI_STATUS_GOOD = 0

_c = ctypes.c_void_p
_int = ctypes.c_int


class IscsiError(RuntimeError):
    """One line: what failed and the target's reason."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Iovec(ctypes.Structure):
    _fields_ = [("iov_base", _c), ("iov_len", ctypes.c_size_t)]


class _ReadCapacity16(ctypes.Structure):
    _fields_ = [("returned_lba", ctypes.c_uint64), ("block_length", ctypes.c_uint32)]


class _ReportLuns(ctypes.Structure):
    _fields_ = [("num", ctypes.c_uint32), ("luns", ctypes.c_uint16 * 256)]


class _TargetPortal(ctypes.Structure):
    pass


_TargetPortal._fields_ = [("next", ctypes.POINTER(_TargetPortal)), ("portal", ctypes.c_char_p)]


class _DiscoveryAddress(ctypes.Structure):
    pass


_DiscoveryAddress._fields_ = [
    ("next", ctypes.POINTER(_DiscoveryAddress)),
    ("target_name", ctypes.c_char_p),
    ("portals", ctypes.POINTER(_TargetPortal)),
]

_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "iscsi_create_context": (_c, [ctypes.c_char_p]),
    "iscsi_destroy_context": (_int, [_c]),
    "iscsi_get_error": (ctypes.c_char_p, [_c]),
    "iscsi_get_fd": (_int, [_c]),
    "iscsi_set_targetname": (_int, [_c, ctypes.c_char_p]),
    "iscsi_set_session_type": (_int, [_c, _int]),
    "iscsi_set_header_digest": (_int, [_c, _int]),
    "iscsi_set_initiator_username_pwd": (_int, [_c, ctypes.c_char_p, ctypes.c_char_p]),
    "iscsi_set_timeout": (_int, [_c, _int]),
    "iscsi_set_noautoreconnect": (None, [_c, _int]),
    "iscsi_connect_sync": (_int, [_c, ctypes.c_char_p]),
    "iscsi_full_connect_sync": (_int, [_c, ctypes.c_char_p, _int]),
    "iscsi_login_sync": (_int, [_c]),
    "iscsi_logout_sync": (_int, [_c]),
    "iscsi_is_logged_in": (_int, [_c]),
    "iscsi_discovery_sync": (_c, [_c]),
    "iscsi_free_discovery_data": (None, [_c, _c]),
    "iscsi_readcapacity16_sync": (_c, [_c, _int]),
    "iscsi_testunitready_sync": (_c, [_c, _int]),
    "iscsi_reportluns_sync": (_c, [_c, _int, _int]),
    "iscsi_read16_iov_sync": (
        _c,
        [_c, _int, ctypes.c_uint64, ctypes.c_uint32, _int, _int, _int, _int, _int, _int, ctypes.POINTER(_Iovec), _int],
    ),
    "iscsi_write16_sync": (
        _c,
        [_c, _int, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_uint32, _int, _int, _int, _int, _int, _int],
    ),
    "scsi_datain_unmarshall": (_c, [_c]),
    "scsi_task_get_status": (_int, [_c, _c]),
    "scsi_free_scsi_task": (None, [_c]),
}
_lib: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def library() -> ctypes.CDLL:
    """libiscsi, loaded once; IscsiError when it is not installed."""
    global _lib
    with _lib_lock:
        if _lib is None:
            try:
                lib = ctypes.CDLL("libiscsi.so.7")
            except OSError as exc:
                raise IscsiError("unavailable", f"libiscsi is not installed (Debian libiscsi7): {exc}") from None
            for name, (restype, argtypes) in _SIGNATURES.items():
                func = getattr(lib, name)
                func.restype, func.argtypes = restype, argtypes
            _lib = lib
    return _lib


def unavailable_reason() -> str | None:
    try:
        library()
    except IscsiError as exc:
        return str(exc)
    return None


@contextlib.contextmanager
def _maybe_inside(ns: str | None) -> Iterator[None]:
    if ns is None:
        yield
    else:
        with netns.inside(ns):
            yield


def check_portal(portal: str, ns: str | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """A plain TCP connect to the portal; IscsiError("unreachable") naming the reason if it fails."""
    host, _, port = portal.partition(":")
    with _maybe_inside(ns):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((host, int(port or ISCSI_PORT)))
    except TimeoutError:
        raise IscsiError("unreachable", f"portal {portal} does not answer within {timeout:g} s") from None
    except OSError as exc:
        reason = errno.errorcode.get(exc.errno or 0, "") and (exc.strerror or str(exc))
        raise IscsiError("unreachable", f"portal {portal}: {reason or exc}") from None
    finally:
        sock.close()


def _login_error(what: str, detail: str) -> IscsiError:
    if "Authentication failure" in detail:
        return IscsiError("auth", f"{what}: CHAP authentication failure ({detail.split('Status: ')[-1]})")
    if "Target not found" in detail:
        return IscsiError("no-target", f"{what}: no such target on the portal ({detail.split('Status: ')[-1]})")
    if "Failed to log in" in detail:
        return IscsiError("login", f"{what}: login refused ({detail.split('Status: ')[-1]})")
    return IscsiError("unreachable", f"{what}: {detail.strip() or 'cannot connect'}")


def _portal(portal: str) -> str:
    return portal if ":" in portal else f"{portal}:{ISCSI_PORT}"


def discover(portal: str, initiator: str, ns: str | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> list[str]:
    """The target IQNs a SendTargets discovery on ``portal`` lists."""
    lib, portal = library(), _portal(portal)
    check_portal(portal, ns, timeout)
    ctx = lib.iscsi_create_context(initiator.encode())
    try:
        lib.iscsi_set_session_type(ctx, SESSION_DISCOVERY)
        lib.iscsi_set_timeout(ctx, max(1, int(timeout)))
        with _maybe_inside(ns):
            rc = lib.iscsi_connect_sync(ctx, portal.encode())
        if rc != 0 or lib.iscsi_login_sync(ctx) != 0:
            raise _login_error(f"discovery on {portal}", _error(lib, ctx))
        found = lib.iscsi_discovery_sync(ctx)
        if not found:
            raise IscsiError("io", f"discovery on {portal}: {_error(lib, ctx)}")
        names, entry = [], ctypes.cast(found, ctypes.POINTER(_DiscoveryAddress))
        while entry:
            names.append(entry.contents.target_name.decode())
            entry = entry.contents.next
        lib.iscsi_free_discovery_data(ctx, found)
        with contextlib.suppress(Exception):
            lib.iscsi_logout_sync(ctx)
        return names
    finally:
        lib.iscsi_destroy_context(ctx)


def _error(lib: ctypes.CDLL, ctx: int) -> str:
    raw = lib.iscsi_get_error(ctx)
    return raw.decode(errors="replace").strip() if raw else ""


@dataclass(frozen=True)
class Chap:
    user: str
    password: str  # revealed only here, at login

    def __repr__(self) -> str:
        return f"Chap(user={self.user!r}, password=***)"


class Session:
    """A logged-in iSCSI session to one LUN of a target, usable from any thread (one command at a time).

    ``read``/``write`` move whole blocks; an I/O error or timeout raises IscsiError("io") and marks
    the session failed (``state``), as open-iscsi does when a connection drops.
    """

    def __init__(
        self,
        portal: str,
        iqn: str,
        lun: int | None,
        initiator: str,
        chap: Chap | None = None,
        ns: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.portal, self.iqn, self.lun, self.initiator, self.ns = _portal(portal), iqn, lun, initiator, ns
        self.timeout = timeout
        self.block_size = 512
        self.blocks = 0
        self.state = "FREE"  # LOGGED_IN | FAILED | FREE (open-iscsi's session states)
        self.logged_in_at = 0.0
        self._chap = chap
        self._lock = threading.Lock()
        self._lib = library()
        self._ctx: int | None = None
        self._closed = False
        self._login()

    def __repr__(self) -> str:
        return f"<iSCSI session {self.initiator} -> {self.iqn} lun {self.lun} on {self.portal}: {self.state}>"

    @property
    def capacity(self) -> int:
        """The LUN's size in bytes, as READ CAPACITY(16) reported at login."""
        return self.blocks * self.block_size

    @property
    def logged_in(self) -> bool:
        return self.state == "LOGGED_IN"

    def _login(self) -> None:
        lib, what = self._lib, f"login to {self.iqn} on {self.portal}"
        check_portal(self.portal, self.ns, self.timeout)
        ctx = lib.iscsi_create_context(self.initiator.encode())
        try:
            lib.iscsi_set_targetname(ctx, self.iqn.encode())
            lib.iscsi_set_session_type(ctx, SESSION_NORMAL)
            lib.iscsi_set_header_digest(ctx, HEADER_DIGEST_NONE_CRC32C)
            lib.iscsi_set_timeout(ctx, max(1, int(self.timeout)))
            lib.iscsi_set_noautoreconnect(ctx, 1)  # a dropped connection must show, not be papered over
            if self._chap is not None:
                lib.iscsi_set_initiator_username_pwd(ctx, self._chap.user.encode(), self._chap.password.encode())
            with _maybe_inside(self.ns):
                rc = lib.iscsi_connect_sync(ctx, self.portal.encode())
            if rc != 0 or lib.iscsi_login_sync(ctx) != 0:
                raise _login_error(what, _error(lib, ctx))
            self._ctx = ctx
            if self.lun is not None:  # a session for one LUN checks it answers; a survey asks REPORT LUNS
                self._clear_unit_attention()
                self._read_capacity()
        except BaseException:
            self._ctx = None
            lib.iscsi_destroy_context(ctx)
            raise
        self.state, self.logged_in_at = "LOGGED_IN", time.time()

    def _task(self, task: int | None, what: str) -> int:
        if not task:
            self.state = "FAILED"
            raise IscsiError("io", f"{what} on {self.iqn} lun {self.lun}: {_error(self._lib, self._ctx or 0)}")
        status = self._lib.scsi_task_get_status(task, None)
        if status != SCSI_STATUS_GOOD:
            detail = _error(self._lib, self._ctx or 0)
            self._lib.scsi_free_scsi_task(task)
            if status >= 0x0F000000:  # cancelled, error, timeout: the transport, not the LUN
                self.state = "FAILED"
            raise IscsiError("io", f"{what} on {self.iqn} lun {self.lun}: {detail or f'status {status:#x}'}")
        return task

    def _clear_unit_attention(self) -> None:
        """A new nexus starts with a UNIT ATTENTION (bus reset) that the first commands must consume."""
        for _ in range(3):
            task = self._lib.iscsi_testunitready_sync(self._ctx, self.lun)
            if not task:
                return
            status = self._lib.scsi_task_get_status(task, None)
            self._lib.scsi_free_scsi_task(task)
            if status == SCSI_STATUS_GOOD:
                return

    def _read_capacity(self) -> None:
        lib = self._lib
        task = self._task(lib.iscsi_readcapacity16_sync(self._ctx, self.lun), "READ CAPACITY")
        try:
            found = lib.scsi_datain_unmarshall(task)
            if not found:
                raise IscsiError("io", f"READ CAPACITY on {self.iqn} lun {self.lun}: unreadable answer")
            cap = ctypes.cast(found, ctypes.POINTER(_ReadCapacity16)).contents
            self.block_size, self.blocks = int(cap.block_length), int(cap.returned_lba) + 1
        finally:
            lib.scsi_free_scsi_task(task)

    def _live_ctx(self) -> int:
        if self._ctx is None or self.state != "LOGGED_IN":
            raise IscsiError("io", f"session to {self.iqn} lun {self.lun} is {self.state.lower().replace('_', ' ')}")
        return self._ctx

    def read(self, lba: int, blocks: int) -> bytes:
        size = blocks * self.block_size
        buf = ctypes.create_string_buffer(size)
        iov = _Iovec(ctypes.cast(buf, _c), size)
        with self._lock:
            task = self._task(
                self._lib.iscsi_read16_iov_sync(
                    self._live_ctx(), self.lun, lba, size, self.block_size, 0, 0, 0, 0, 0, ctypes.byref(iov), 1
                ),
                "READ",
            )
            self._lib.scsi_free_scsi_task(task)
        return buf.raw

    def write(self, lba: int, data: bytes) -> None:
        if len(data) % self.block_size:
            raise ValueError(f"write of {len(data)} bytes is not a whole number of {self.block_size}-byte blocks")
        with self._lock:
            task = self._task(
                self._lib.iscsi_write16_sync(
                    self._live_ctx(), self.lun, lba, data, len(data), self.block_size, 0, 0, 1, 0, 0
                ),
                "WRITE",
            )
            self._lib.scsi_free_scsi_task(task)

    def report_luns(self) -> dict[int, int]:
        """Every LUN the target reports for this session, with its size in bytes (READ CAPACITY each)."""
        with self._lock:
            task = self._task(self._lib.iscsi_reportluns_sync(self._live_ctx(), 0, 4096), "REPORT LUNS")
            try:
                found = self._lib.scsi_datain_unmarshall(task)
                listed = ctypes.cast(found, ctypes.POINTER(_ReportLuns)).contents if found else None
                luns = [int(listed.luns[i]) for i in range(min(listed.num, 256))] if listed else []
            finally:
                self._lib.scsi_free_scsi_task(task)
            sizes = {}
            for lun in luns:
                self.lun = lun
                self._clear_unit_attention()
                try:
                    self._read_capacity()
                except IscsiError:
                    continue
                sizes[lun] = self.capacity
            return sizes

    def read_capacity(self) -> int:
        """READ CAPACITY(16) again (after the LUN changed size): the new size in bytes."""
        with self._lock:
            self._live_ctx()
            self._read_capacity()
        return self.capacity

    def test_unit_ready(self) -> None:
        """A NOP-like probe: IscsiError("io") and state FAILED when the path is gone."""
        with self._lock:
            self._lib.scsi_free_scsi_task(
                self._task(self._lib.iscsi_testunitready_sync(self._live_ctx(), self.lun), "TEST UNIT READY")
            )

    def relogin(self) -> None:
        """Replace a failed connection with a new login (iscsid's session recovery); not after logout."""
        with self._lock:
            if self._closed:
                return
            self._drop()
            # open-iscsi lists a session in recovery as FAILED until a login succeeds: never FREE (gone) meanwhile
            self.state = "FAILED"
            self._login()

    def logout(self) -> None:
        with self._lock:
            self._closed = True
            if self._ctx is not None and self.state == "LOGGED_IN":
                with contextlib.suppress(Exception):
                    self._lib.iscsi_logout_sync(self._ctx)
            self._drop()

    def _drop(self) -> None:
        if self._ctx is not None:
            self._lib.iscsi_destroy_context(self._ctx)
            self._ctx = None
        self.state = "FREE"


def login(
    portal: str,
    iqn: str,
    lun: int,
    initiator: str,
    chap: Chap | None = None,
    ns: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Session:
    return Session(portal, iqn, lun, initiator, chap, ns, timeout)
