"""xhad on one host: network heartbeats as UDP packets on the management network, storage heartbeats
into the statefile, and the survival rules applied to what actually arrives.

Each daemon is a thread with a UDP socket bound to its host's management address inside the host's
namespace. Every heartbeat interval it sends one heartbeat to each peer, writes its slot of the
statefile and reads the others, then decides (``simlab.ha.rules``). A host that may not survive
fences itself: ``on_fence`` powers it off and the twin reboots it, as the Xen watchdog does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from simlab.ha import rules
from simlab.ha.statefile import BLOCK, BlockDevice, decode, encode
from simlab.model.ha import DaemonView, Timeouts
from xenlab import netns

log = logging.getLogger("simlab.ha")
HEARTBEAT_PORT = 694  # xhad.conf UDPport
CHUNK_BLOCKS = 8


@dataclass
class Peer:
    name: str
    uuid: str
    address: str  # management address
    index: int  # statefile slot


@dataclass
class Seen:
    """What one daemon has heard: times are this daemon's monotonic clock."""

    net: dict[str, float] = field(default_factory=dict)
    net_lost_statefile: dict[str, bool] = field(default_factory=dict)
    net_failing: dict[str, bool] = field(default_factory=dict)  # its beat says its last statefile I/O failed
    slot_seq: dict[str, int] = field(default_factory=dict)
    slot_at: dict[str, float] = field(default_factory=dict)
    statefile_at: float = 0.0
    # Start of the current unbroken streak of statefile reads: a booted host may form a liveset only after
    # watching the statefile that long, whenever it booted (it may have booted with its links still down).
    statefile_since: float | None = None
    io_failed: bool = False  # my last statefile I/O failed


class Daemon:
    def __init__(
        self,
        me: Peer,
        peers: list[Peer],
        generation: str,
        timeouts: Timeouts,
        ns: str | None,
        device: Callable[[], BlockDevice],
        view: DaemonView,
        joining: bool,
        on_fence: Callable[[str, str], None],
        on_master_lock: Callable[[str], None],
    ) -> None:
        self.me, self.peers, self.generation, self.timeouts = me, peers, generation, timeouts
        self.by_uuid = {p.uuid: p for p in [me, *peers]}
        self.uuids = {p.name: p.uuid for p in [me, *peers]}
        self.view = view
        self._device_factory = device
        self._device: BlockDevice | None = None
        self.on_fence, self.on_master_lock = on_fence, on_master_lock
        self.seq = 0
        now = time.monotonic()
        # Enabling HA (not a boot) starts from a formed liveset: everyone was live a moment ago.
        self.seen = Seen(statefile_at=now if not joining else 0.0)
        if not joining:
            for p in peers:
                self.seen.net[p.name] = now
                self.seen.slot_at[p.name] = now
        view.state = "starting" if joining else "online"
        view.liveset = frozenset() if joining else frozenset(self.uuids)
        self.slots: dict[str, rules.Slot] = {}
        # Enabling HA: decide nothing until every host had time to heartbeat (xhad's EnableJoinTimeout).
        self.armed_at = now + (0 if joining else 2 * timeouts.heartbeat_interval)
        self.kicked_at = self.armed_at
        self.started_at = now
        self.joining = joining
        self.doubt = ""  # why this host cannot show it survives, while the watchdog runs down
        self.pool_block: dict = {}
        if ns:
            with netns.inside(ns):
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((me.address, HEARTBEAT_PORT))
        self.sock.setblocking(False)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"xhad-{me.name}", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self.sock.close()
        if self._device is not None:
            self._device.close()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            self._watchdog()
            left = next_tick - time.monotonic()
            if left > 0:
                try:
                    ready, _, _ = select.select([self.sock], [], [], min(left, 0.5))
                except (OSError, ValueError):
                    return
                if ready:
                    self._receive()
                continue
            next_tick += self.timeouts.heartbeat_interval
            try:
                self.tick()
            except Exception:  # a bug must show in the log, not kill the heartbeat silently
                log.exception("xhad on %s: tick failed", self.me.name)

    # -- network heartbeats -------------------------------------------------------------------------
    def _receive(self) -> None:
        while True:
            try:
                data, _ = self.sock.recvfrom(65535)
            except (BlockingIOError, OSError):
                return
            try:
                beat = json.loads(data)
            except ValueError:
                continue
            peer = self.by_uuid.get(beat.get("host"))
            if peer is None or peer is self.me or beat.get("generation") != self.generation:
                continue
            now = time.monotonic()
            self.seen.net[peer.name] = now
            self.seen.net_lost_statefile[peer.name] = not beat.get("statefile", False)
            self.seen.net_failing[peer.name] = bool(beat.get("failing", False))
            if self.view.state == "online" and self._shared_outage(now):
                self.kicked_at = now

    def _send(self) -> None:
        beat = json.dumps(
            {
                "generation": self.generation,
                "host": self.me.uuid,
                "seq": self.seq,
                "statefile": self.view.sees_statefile,
                "failing": self.seen.io_failed,
                "hears": sorted(self.uuids[n] for n in self.view.network_peers),
            }
        ).encode()
        for peer in self.peers:
            with contextlib.suppress(OSError):  # no route while the link is down: the heartbeat is lost
                self.sock.sendto(beat, (peer.address, HEARTBEAT_PORT))

    # -- storage heartbeats -------------------------------------------------------------------------
    def device(self) -> BlockDevice:
        if self._device is None:
            self._device = self._device_factory()
        return self._device

    def _statefile(self, now: float) -> None:
        slot = {
            "host": self.me.uuid,
            "generation": self.generation,
            "seq": self.seq,
            "state": self.view.state,
            "hears": sorted(self.uuids[n] for n in self.view.network_peers),
            "liveset": sorted(self.uuids[n] for n in self.view.liveset),
        }
        try:
            dev = self.device()
            dev.write(BLOCK * (1 + self.me.index), encode(slot))
            count = 1 + len(self.by_uuid)
            raw = b"".join(
                dev.read(BLOCK * start, BLOCK * min(CHUNK_BLOCKS, count - start))
                for start in range(0, count, CHUNK_BLOCKS)
            )
        except OSError as exc:
            self.seen.statefile_since, self.seen.io_failed = None, True
            if self.seen.statefile_at >= now - self.timeouts.heartbeat_interval * 1.01:  # first miss of a streak
                log.info("xhad on %s: statefile not reached: %s", self.me.name, exc or type(exc).__name__)
            return
        self.seen.statefile_at, self.seen.io_failed = now, False
        if self.seen.statefile_since is None:
            self.seen.statefile_since = now
        self.pool_block = decode(raw[:BLOCK]) or {}
        for peer in self.peers:
            record = decode(raw[BLOCK * (1 + peer.index) : BLOCK * (2 + peer.index)])
            if not record or record.get("host") != peer.uuid or record.get("generation") != self.generation:
                continue
            if record.get("seq") != self.seen.slot_seq.get(peer.name):
                if peer.name in self.seen.slot_seq or not self.joining:  # after a boot, a first read proves
                    # nothing: the slot may be frozen since that host lost the statefile
                    self.seen.slot_at[peer.name] = now
                self.seen.slot_seq[peer.name] = record.get("seq")
            names = {u: p.name for u, p in self.by_uuid.items()}
            # Silence counts only while I was watching: back from an outage, a slot frozen through it is
            # judged from the moment I could read it again, not from its last write before the outage.
            since = self.seen.slot_at.get(peer.name, 0)
            if peer.name in self.seen.slot_at:
                since = max(since, self.seen.statefile_since)
            self.slots[peer.name] = rules.Slot(
                state=str(record.get("state")),
                net=frozenset(names[u] for u in record.get("hears", []) if u in names),
                fresh=now - since < 2.5 * self.timeouts.heartbeat_interval,
                # A silent host stays in the liveset until its own watchdog has surely fired.
                alive=now - since < self.silent_host_dead_after,
                liveset=frozenset(names[u] for u in record.get("liveset", []) if u in names),
            )

    # -- one heartbeat interval ------------------------------------------------------------------------
    def tick(self) -> None:
        self.seq += 1
        now = time.monotonic()
        t = self.timeouts
        self.view.network_peers = frozenset(
            p.name for p in self.peers if now - self.seen.net.get(p.name, 0) < t.heartbeat_timeout
        )
        self._send()
        self._statefile(now)
        self.view.sees_statefile = now - self.seen.statefile_at < t.statefile_timeout
        inputs = rules.Inputs(
            me=self.me.name,
            uuids=self.uuids,
            liveset=self.view.liveset,
            sees_statefile=self.view.sees_statefile,
            net_peers=self.view.network_peers,
            peers_lost_statefile=frozenset(n for n, lost in self.seen.net_lost_statefile.items() if lost),
            slots=dict(self.slots) if self.view.sees_statefile else {},
            may_form=self.seen.statefile_since is not None
            and now - self.seen.statefile_since >= self.silent_host_dead_after,
        )
        if self.view.state == "starting":
            liveset = rules.join(inputs)
            if liveset is not None:
                self.view.state, self.view.liveset, self.kicked_at = "online", liveset, now
                log.info("xhad on %s: joined the liveset %s", self.me.name, sorted(liveset))
            return
        if self.view.state != "online" or now < self.armed_at:
            return
        if self.seen.io_failed and self.view.sees_statefile:
            # The statefile did not answer, but its timeout has not run out: nothing new to decide from (the
            # slots are what I read before), so hold the liveset; the watchdog runs down meanwhile.
            self.doubt = "statefile not reached"
            if self._shared_outage(now):
                self.kicked_at = now
            return
        decision = rules.evaluate(inputs)
        if decision.fence_now:
            self._fence(decision.reason)
            return
        if not decision.survive:
            self.doubt = decision.reason  # the watchdog fires unless survival shows again in time
            if self._shared_outage(now):  # rule 2 is on its way: every host lost the statefile with me
                self.kicked_at = now
            return
        self.doubt = ""
        # The watchdog is kicked only on evidence from the last interval: the statefile reached (rule 1), or
        # every peer heard (rule 2). So a cut-off host fences within T plus one interval of its last evidence.
        recent = now - self.timeouts.heartbeat_interval * 1.01
        if (
            (decision.rule == 1 and self.seen.statefile_at >= recent)
            or (decision.rule == 2 and all(self.seen.net.get(p.name, 0) >= recent for p in self.peers))
            or self._shared_outage(now)
        ):
            self.kicked_at = now
        if decision.liveset != self.view.liveset:
            log.info("xhad on %s: liveset %s (rule %s)", self.me.name, sorted(decision.liveset), decision.rule)
        self.view.liveset = decision.liveset
        holder = self.lock_holder()
        if (
            decision.rule == 1
            and self.pool_block.get("generation") == self.generation  # a wiped block is xapi's to write again
            and holder not in decision.liveset
            and rules.grants_master_lock(self.me.name, holder, decision.liveset, self.uuids)
        ):
            self._take_master_lock()

    def _shared_outage(self, now: float) -> bool:
        """My statefile I/O fails, and every other host of my liveset was heard within the last interval
        saying its own fails too (or that it lost the statefile): a storage outage we share, which rule 2
        settles once the statefile timeout runs out. Not an isolated host, so its watchdog is kicked; a host
        that lost its storage path alone gets no such evidence and fences within T, as before."""
        if not self.seen.io_failed:
            return False
        recent = now - 1.5 * self.timeouts.heartbeat_interval
        others = [p for p in self.peers if p.name in self.view.liveset]
        return bool(others) and all(
            self.seen.net.get(p.name, 0) >= recent
            and (self.seen.net_failing.get(p.name, False) or self.seen.net_lost_statefile.get(p.name, False))
            for p in others
        )

    def _watchdog(self) -> None:
        """The Xen watchdog: not kicked for HeartbeatWatchdogTimeout, the host fences whatever xhad thinks."""
        if self.view.state == "online" and time.monotonic() - self.kicked_at > self.timeouts.heartbeat_watchdog:
            self._fence(
                f"watchdog: no evidence of survival for {self.timeouts.heartbeat_watchdog:g}s"
                + (f" ({self.doubt})" if self.doubt else "")
            )

    @property
    def silent_host_dead_after(self) -> float:
        """A host silent on storage this long has surely fenced: its watchdog fires within T of its last
        evidence (at most one interval before it went silent), plus an interval of margin."""
        return self.timeouts.statefile_timeout + 2.5 * self.timeouts.heartbeat_interval

    def settled_starting(self) -> bool:
        """A starting daemon that had time to join and did not: it cannot, as things are."""
        return time.monotonic() - self.started_at > 3 * self.timeouts.heartbeat_interval

    def lock_holder(self) -> str | None:
        peer = self.by_uuid.get(self.pool_block.get("master", ""))
        return peer.name if peer else None

    def claim_master_lock(self) -> None:
        self._take_master_lock()

    def propose_master(self) -> bool:
        """xapi on this host asks to become master (its master left the liveset): granted by the rules on
        the lock as last read, and then the lock is written as this host's."""
        if self.stopped or self.view.state != "online" or not self.view.sees_statefile:
            return False
        if not rules.grants_master_lock(self.me.name, self.lock_holder(), self.view.liveset, self.uuids):
            return False
        return self._take_master_lock()

    def _take_master_lock(self) -> bool:
        block = {"generation": self.generation, "state": "active", "master": self.me.uuid}
        try:
            self.device().write(0, encode(block))
        except OSError:
            return False
        self.pool_block = block  # what I wrote is the lock now: no second claim before the next read
        log.info("xhad on %s: took the master lock", self.me.name)
        self.on_master_lock(self.me.name)
        return True

    def _fence(self, reason: str) -> None:
        log.warning("xhad on %s: self-fencing: %s", self.me.name, reason)
        self.view.state = "fenced"
        self.view.liveset = frozenset()
        self.view.fenced_count += 1
        with contextlib.suppress(OSError):  # tell the others, if the statefile can still be reached
            self.device().write(
                BLOCK * (1 + self.me.index),
                encode({"host": self.me.uuid, "generation": self.generation, "seq": self.seq + 1, "state": "fenced"}),
            )
        self._stop.set()
        self.on_fence(self.me.name, reason)
