"""The pinger: ICMP echoes to one address at a fixed interval, every request and reply timestamped.

Used by the destructive suites (XenMotion, HA) to measure what a user of a VM would see. It runs
the same against a real lab (from the runner's own interface: the kernel picks the route, or
``source`` binds one address) and against the twin (``netns`` is the probe's namespace, where the
twin put the runner's interfaces).

API::

    from xenlab.pinger import Pinger

    with Pinger("198.18.30.101", interval_s=0.1, netns="xlprobe-workshop") as pinger:
        pinger.mark("migration started")
        ...                                   # break and mend something
        pinger.mark("migration finished")
    report = pinger.report                    # a PingReport, also returned by pinger.stop()
    report.sent, report.received, report.lost, report.longest_outage_ms
    report.summary()                          # "198.18.30.101: 120 sent, 118 received, 2 lost, ..."
    report.plot(path)                         # a timeline PNG (matplotlib): RTT, lost echoes, outages, marks
    report.as_dict()                          # JSON-ready, for the report

A request is *lost* when no reply arrives within ``timeout_s`` of sending it. An *outage* is a run of
consecutive lost requests; it lasts from the first lost request to the next answered one (to the
last lost one plus an interval if none was answered), so its resolution is the interval.
Raw ICMP sockets need root or CAP_NET_RAW; without them an ICMP datagram socket is used when the
kernel allows it (net.ipv4.ping_group_range), otherwise PingerError says why.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import socket
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from xenlab import netns as netns_mod

ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0
PAYLOAD = b"xenlab-pinger".ljust(48, b"\x00")


class PingerError(RuntimeError):
    """The pinger cannot run here (no raw socket, no namespace); str() is one line."""


@dataclass(frozen=True)
class Echo:
    seq: int
    sent: float  # wall clock (epoch seconds)
    offset_s: float  # seconds since the pinger started
    rtt_ms: float | None  # None: lost
    received: float | None = None  # wall clock of the reply


@dataclass
class Mark:
    label: str
    at: float  # wall clock
    offset_s: float


@dataclass
class Outage:
    start_s: float  # offsets since the pinger started
    end_s: float
    lost: int

    @property
    def ms(self) -> float:
        return (self.end_s - self.start_s) * 1000


@dataclass
class PingReport:
    target: str
    interval_s: float
    timeout_s: float
    started: float  # wall clock
    echoes: list[Echo] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.echoes)

    @property
    def received(self) -> int:
        return sum(1 for e in self.echoes if e.rtt_ms is not None)

    @property
    def lost(self) -> int:
        return self.sent - self.received

    def since(self, label: str) -> PingReport:
        """The echoes sent from the first mark ``label`` on (all of them if there is no such mark)."""
        at = next((m.offset_s for m in self.marks if m.label == label), None)
        if at is None:
            return self
        later = [e for e in self.echoes if e.offset_s >= at]
        return PingReport(self.target, self.interval_s, self.timeout_s, self.started, later, list(self.marks))

    def outages(self) -> list[Outage]:
        found: list[Outage] = []
        run: list[Echo] = []
        for echo in [*self.echoes, None]:
            if echo is not None and echo.rtt_ms is None:
                run.append(echo)
                continue
            if run:
                end = echo.offset_s if echo is not None else run[-1].offset_s + self.interval_s
                found.append(Outage(run[0].offset_s, end, len(run)))
                run = []
        return found

    @property
    def longest_outage_ms(self) -> float:
        return max((o.ms for o in self.outages()), default=0.0)

    def summary(self) -> str:
        rtts = [e.rtt_ms for e in self.echoes if e.rtt_ms is not None]
        rtt = f", rtt avg {sum(rtts) / len(rtts):.2f} ms" if rtts else ""
        return (
            f"{self.target}: {self.sent} sent every {self.interval_s * 1000:g} ms, {self.received} received, "
            f"{self.lost} lost, longest outage {self.longest_outage_ms:.0f} ms{rtt}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "interval_s": self.interval_s,
            "timeout_s": self.timeout_s,
            "started": self.started,
            "sent": self.sent,
            "received": self.received,
            "lost": self.lost,
            "longest_outage_ms": round(self.longest_outage_ms, 1),
            "outages": [asdict(o) | {"ms": round(o.ms, 1)} for o in self.outages()],
            "marks": [asdict(m) for m in self.marks],
            "echoes": [asdict(e) for e in self.echoes],
        }

    def plot(self, path: str | Path, title: str | None = None) -> Path:
        """A timeline PNG: round-trip times, lost echoes, outages shaded, and the marks."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        path = Path(path)
        fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
        try:
            ok = [e for e in self.echoes if e.rtt_ms is not None]
            lost = [e for e in self.echoes if e.rtt_ms is None]
            top = max([e.rtt_ms for e in ok] + [1.0]) * 1.25  # type: ignore[type-var]
            ax.plot(
                [e.offset_s for e in ok],
                [e.rtt_ms for e in ok],
                ".",
                color="tab:blue",
                markersize=4,
                label=f"reply ({len(ok)})",
            )
            if lost:
                ax.plot(
                    [e.offset_s for e in lost],
                    [top] * len(lost),
                    "x",
                    color="tab:red",
                    markersize=6,
                    label=f"lost ({len(lost)})",
                )
            for outage in self.outages():
                ax.axvspan(outage.start_s, outage.end_s, color="tab:red", alpha=0.15)
            for mark in self.marks:
                ax.axvline(mark.offset_s, color="tab:gray", linestyle="--", linewidth=1)
                ax.text(
                    mark.offset_s, top * 1.02, f" {mark.label}", rotation=0, fontsize=8, va="bottom", color="tab:gray"
                )
            ax.set_ylim(0, top * 1.2)
            ax.set_xlabel("seconds since the first echo")
            ax.set_ylabel("round trip (ms)")
            ax.set_title(title or self.summary(), fontsize=9)
            ax.legend(loc="upper right", fontsize=8)
            ax.grid(alpha=0.3)
            fig.tight_layout()
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, format="png")
        finally:
            plt.close(fig)
        return path


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _request(ident: int, seq: int) -> bytes:
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, _checksum(header + PAYLOAD), ident, seq) + PAYLOAD


def _open(netns: str | None, source: str | None) -> tuple[socket.socket, bool]:
    """An ICMP socket (raw if we may, else datagram) opened inside ``netns``; (socket, raw?)."""

    def make() -> tuple[socket.socket, bool]:
        errors = []
        for kind, raw in ((socket.SOCK_RAW, True), (socket.SOCK_DGRAM, False)):
            try:
                sock = socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
            except PermissionError as exc:
                errors.append(str(exc))
                continue
            if source:
                sock.bind((source, 0))
            return sock, raw
        raise PingerError(
            "cannot open an ICMP socket (need root or CAP_NET_RAW, or net.ipv4.ping_group_range "
            f"allowing gid {os.getgid()}): {errors[-1]}"
        )

    if netns is None:
        return make()
    if not netns_mod.exists(netns):
        raise PingerError(f"network namespace {netns} does not exist (is the lab's data plane up?)")
    try:
        with netns_mod.inside(netns):
            return make()
    except PermissionError as exc:
        raise PingerError(f"cannot enter network namespace {netns}: {exc}") from None


class Pinger:
    """Echoes to ``target`` every ``interval_s`` from start() to stop(); use as a context manager."""

    def __init__(
        self,
        target: str,
        interval_s: float = 0.1,
        timeout_s: float = 1.0,
        netns: str | None = None,
        source: str | None = None,
    ) -> None:
        if interval_s <= 0 or timeout_s <= 0:
            raise ValueError("interval and timeout must be positive")
        self.target, self.interval_s, self.timeout_s = target, interval_s, timeout_s
        self.netns, self.source = netns, source
        self._ident = random.randrange(1, 0xFFFF)
        self._sock: socket.socket | None = None
        self._raw = True
        self._sent: dict[int, tuple[float, float, float]] = {}  # seq -> (wall, monotonic, offset)
        self._replies: dict[int, tuple[float, float]] = {}  # seq -> (wall, monotonic)
        self._marks: list[Mark] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._t0 = 0.0
        self._wall0 = 0.0
        self.report: PingReport | None = None

    def start(self) -> Pinger:
        self._sock, self._raw = _open(self.netns, self.source)
        self._t0, self._wall0 = time.monotonic(), time.time()
        self._threads = [
            threading.Thread(target=self._send_loop, name=f"pinger-tx-{self.target}", daemon=True),
            threading.Thread(target=self._receive_loop, name=f"pinger-rx-{self.target}", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def mark(self, label: str) -> None:
        """Note an event on the timeline (\"migration started\")."""
        now = time.monotonic()
        with self._lock:
            self._marks.append(Mark(label, self._wall0 + (now - self._t0), now - self._t0))

    @property
    def replies(self) -> int:
        """Replies received so far (while running)."""
        with self._lock:
            return len(self._replies)

    def streak(self) -> int:
        """Echoes answered in a row up to now (those still within their timeout neither count nor break it)."""
        now = time.monotonic()
        run = 0
        with self._lock:
            for n in sorted(self._sent, reverse=True):
                if n in self._replies:
                    run += 1
                elif now - self._sent[n][1] >= self.timeout_s:
                    break
        return run

    def halt(self) -> None:
        """Stop sending; ``stop`` then waits only for the echoes still in flight, so many pingers wait together."""
        self._stop.set()

    def stop(self) -> PingReport:
        """Stop sending, wait up to the timeout for outstanding replies, and build the report."""
        if self.report is not None:
            return self.report
        self._stop.set()
        self._threads[0].join()
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline and self._outstanding():
            time.sleep(0.02)
        self._threads[1].join(timeout=1)
        if self._sock is not None:
            self._sock.close()
        self.report = self._build()
        return self.report

    def __enter__(self) -> Pinger:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------------
    def _outstanding(self) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(
                seq not in self._replies and now - mono < self.timeout_s for seq, (_, mono, _) in self._sent.items()
            )

    def _send_loop(self) -> None:
        assert self._sock is not None
        n = 0
        while not self._stop.is_set():
            seq = n & 0xFFFF
            mono = time.monotonic()
            with self._lock:
                self._sent[n] = (self._wall0 + (mono - self._t0), mono, mono - self._t0)
            with contextlib.suppress(OSError):  # unreachable right now: that echo is simply lost
                self._sock.sendto(_request(self._ident, seq), (self.target, 0))
            n += 1
            # Keep to the schedule (start + n * interval), whatever sending cost.
            self._stop.wait(max(0.0, self._t0 + n * self.interval_s - time.monotonic()))

    def _receive_loop(self) -> None:
        assert self._sock is not None
        sock = self._sock
        while not (self._stop.is_set() and not self._outstanding()):
            try:
                ready, _, _ = select.select([sock], [], [], 0.05)
                if not ready:
                    continue
                data, addr = sock.recvfrom(2048)
            except (OSError, ValueError):
                return
            now = time.monotonic()
            if addr[0] != self.target:
                continue
            if self._raw:
                data = data[(data[0] & 0x0F) * 4 :]
            if len(data) < 8:
                continue
            kind, _, _, ident, seq = struct.unpack("!BBHHH", data[:8])
            if kind != ICMP_ECHO_REPLY or (self._raw and ident != self._ident):
                continue
            with self._lock:
                # The newest request with this 16-bit sequence number that has no reply yet.
                n = max((k for k in self._sent if k & 0xFFFF == seq and k not in self._replies), default=None)
                if n is not None:
                    self._replies[n] = (self._wall0 + (now - self._t0), now)

    def _build(self) -> PingReport:
        report = PingReport(self.target, self.interval_s, self.timeout_s, self._wall0)
        with self._lock:
            for n in sorted(self._sent):
                wall, mono, offset = self._sent[n]
                reply = self._replies.get(n)
                rtt = (reply[1] - mono) * 1000 if reply else None
                if rtt is not None and rtt > self.timeout_s * 1000:
                    rtt, reply = None, None  # too late counts as lost
                report.echoes.append(
                    Echo(n, wall, round(offset, 4), None if rtt is None else round(rtt, 3), reply[0] if reply else None)
                )
            report.marks = list(self._marks)
        return report


def ping(
    target: str,
    attempts: int = 3,
    interval_s: float = 0.2,
    timeout_s: float = 1.0,
    netns: str | None = None,
    source: str | None = None,
) -> PingReport:
    """Echoes until the first reply or ``attempts`` unanswered: a reachability probe through the kernel's
    ICMP socket, so it never takes frames from another socket on the same interface."""
    return ping_many([(target, source)], attempts, interval_s, timeout_s, netns)[(target, source)]


def ping_many(
    targets: Iterable[tuple[str, str | None]],
    attempts: int = 3,
    interval_s: float = 0.2,
    timeout_s: float = 1.0,
    netns: str | None = None,
    at_once: int = 64,
) -> dict[tuple[str, str | None], PingReport]:
    """``ping`` to many (target, source address) pairs together: every probe's wait overlaps the others', so
    a lab's reachability costs one probe's time, not one per address (``at_once`` bounds the open sockets)."""
    keys = list(dict.fromkeys(targets))
    reports: dict[tuple[str, str | None], PingReport] = {}
    for first in range(0, len(keys), at_once):
        pingers = {
            (target, source): Pinger(target, interval_s=interval_s, timeout_s=timeout_s, netns=netns, source=source)
            for target, source in keys[first : first + at_once]
        }
        started: dict[tuple[str, str | None], Pinger] = {}
        try:
            for key, pinger in pingers.items():
                started[key] = pinger.start()
            deadline = time.monotonic() + attempts * interval_s + timeout_s
            while time.monotonic() < deadline and not all(p.replies for p in started.values()):
                time.sleep(0.01)
        finally:
            for pinger in started.values():
                pinger.halt()
            for key, pinger in started.items():
                reports[key] = pinger.stop()
    return reports
