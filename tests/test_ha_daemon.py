"""One xhad daemon driven tick by tick on a fake clock and a fake statefile: what it decides from what it
reads, without a twin."""

from __future__ import annotations

import os

import pytest

from simlab.ha import daemon as daemon_module
from simlab.ha.daemon import Daemon, Peer
from simlab.ha.statefile import BLOCK, encode
from simlab.model.ha import DaemonView, Timeouts

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="xhad binds the privileged heartbeat port")
XEN1 = Peer("xen1", "b-uuid", "127.254.0.1", 0)
XEN2 = Peer("xen2", "a-uuid", "127.254.0.2", 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def __getattr__(self, name: str):  # the rest of the time module, untouched
        import time

        return getattr(time, name)


class Statefile:
    """The statefile's blocks; unreachable until the test plugs the link back."""

    def __init__(self) -> None:
        self.blocks = bytearray(BLOCK * 3)
        self.reachable = False

    def read(self, offset: int, length: int) -> bytes:
        if not self.reachable:
            raise OSError("timed out")
        return bytes(self.blocks[offset : offset + length])

    def write(self, offset: int, data: bytes) -> None:
        if not self.reachable:
            raise OSError("timed out")
        self.blocks[offset : offset + len(data)] = data.ljust(BLOCK, b"\0")

    def close(self) -> None:
        pass

    def peer_beats(self, seq: int, liveset: list[str]) -> None:
        """xen2, online, writes its slot as its own xhad would."""
        slot = {"host": XEN2.uuid, "generation": "g", "seq": seq, "state": "online", "hears": [], "liveset": liveset}
        self.blocks[BLOCK * 2 : BLOCK * 3] = encode(slot).ljust(BLOCK, b"\0")


def test_a_host_booted_with_its_links_down_joins_the_live_pool_instead_of_forming_its_own(monkeypatch) -> None:
    clock, statefile = Clock(), Statefile()
    monkeypatch.setattr(daemon_module, "time", clock)
    view = DaemonView()
    timeouts = Timeouts(4)
    xen1 = Daemon(XEN1, [XEN2], "g", timeouts, None, lambda: statefile, view, True, lambda *a: None, lambda n: None)
    try:
        seq = 0
        for _ in range(20):  # booted long ago, the statefile out of reach all along
            clock.now += timeouts.heartbeat_interval
            seq += 1
            statefile.peer_beats(seq, [XEN2.uuid])
            xen1.tick()
        statefile.reachable = True  # the cables are back: xen2's slot is there, its sequence moving
        for _ in range(10):
            clock.now += timeouts.heartbeat_interval
            seq += 1
            statefile.peer_beats(seq, [XEN2.uuid])
            xen1.tick()
            assert view.state == "starting", f"xen1 went {view.state} with liveset {sorted(view.liveset)}"
        statefile.peer_beats(seq + 1, [XEN1.uuid, XEN2.uuid])  # the master admits it
        clock.now += timeouts.heartbeat_interval
        xen1.tick()
        assert (view.state, view.liveset) == ("online", {"xen1", "xen2"})
    finally:
        xen1.stop()


def test_survivor_holding_the_lock_becomes_master_when_xapis_master_left_the_liveset(monkeypatch) -> None:
    """xen2 took the master lock when xen1 fenced; xapi then named xen1 master again (an administrator's
    designate_new_master), and xen1 fenced once more before it took the lock back. The lock still names xen2:
    xapi on xen2 proposes itself and its xhad grants it, so the pool gets a master instead of none."""
    clock, statefile = Clock(), Statefile()
    statefile.reachable = True
    monkeypatch.setattr(daemon_module, "time", clock)
    statefile.blocks[0:BLOCK] = encode({"generation": "g", "state": "active", "master": XEN2.uuid}).ljust(BLOCK, b"\0")
    view, masters = DaemonView(), []
    timeouts = Timeouts(4)
    xen2 = Daemon(XEN2, [XEN1], "g", timeouts, None, lambda: statefile, view, False, lambda *a: None, masters.append)
    try:
        fenced = {"host": XEN1.uuid, "generation": "g", "seq": 99, "state": "fenced"}
        statefile.blocks[BLOCK : 2 * BLOCK] = encode(fenced).ljust(BLOCK, b"\0")
        for _ in range(15):
            clock.now += timeouts.heartbeat_interval
            xen2._watchdog()
            xen2.tick()
        assert (view.state, view.liveset, xen2.lock_holder()) == ("online", {"xen2"}, "xen2")
        assert masters == []  # it already held the lock: no take of its own
        assert xen2.propose_master()
        assert masters == ["xen2"]
    finally:
        xen2.stop()
