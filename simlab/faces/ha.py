"""The HA face: xhad on every host and xapi's failover on the master, following ``pool.ha_enabled``.

Needs the data plane (heartbeats are real packets between the host namespaces) and the storage face
(storage heartbeats are SCSI commands over each host's iSCSI session to the heartbeat SR's LUN); without
them HA stays configured in XenAPI but no host is ever declared dead, and the log says so.

Hosts that fence reboot: powered off at once, powered on ``boot_s`` later, and their xhad starts
again and asks to join; it joins only when its heartbeats reach the others again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid as uuidlib
from typing import TYPE_CHECKING

from simlab.ha.daemon import Daemon, Peer
from simlab.ha.failover import Failover
from simlab.ha.statefile import IscsiStatefile, RegionDevice, encode
from simlab.model import messages
from simlab.model.ha import DaemonView, Timeouts
from simlab.model.lab import Lab
from simlab.model.netnames import Names
from simlab.model.storage import VDI
from xenlab import iscsi

if TYPE_CHECKING:
    from simlab.twin import Twin

log = logging.getLogger("simlab.ha")
POLL_S = 0.2


class HaFace:
    name = "ha"

    def __init__(self, lab: Lab, names: Names) -> None:
        self.lab, self.names = lab, names
        self.daemons: dict[str, Daemon] = {}
        self.statefile: VDI | None = None  # while HA runs: the statefile VDI on the heartbeat SR
        self.failover: Failover | None = None
        self.generation = ""
        self.peers: list[Peer] = []
        self.booting: dict[str, float] = {}  # host -> monotonic time its xhad starts (after a reboot)
        self.fence_pending: set[str] = set()  # fenced hosts not yet powered on again
        self.storage_net: str | None = None  # while HA runs: the network the hosts reach the statefile on
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simlab-ha", daemon=True)

    # -- Face -------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._disable()

    def endpoints(self) -> list[str]:
        if not self.lab.pool.ha_enabled:
            return ["ha    disabled"]
        t = Timeouts(self.lab.pool.ha_timeout_s)
        return [
            f"ha    xhad on {len(self.daemons)} hosts, T={t.t:g}s (heartbeat every {t.heartbeat_interval:g}s, "
            f"UDP 694 on the management network), statefile on {self.lab.pool.ha_heartbeat_sr} over iSCSI"
        ]

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until HA is at rest: every consequence of the last change (fence, reboot, restart) happened."""
        deadline = time.monotonic() + max(timeout, 4 * self.timeouts.t + 10)
        while time.monotonic() < deadline:
            if self._at_rest():
                return True
            time.sleep(POLL_S)
        return False

    def _at_rest(self) -> bool:
        lab = self.lab
        with lab.lock:
            if not lab.pool.ha_enabled:
                return self.statefile is None
            if self.statefile is None or self.fence_pending or any(d != float("inf") for d in self.booting.values()):
                return False
            if self.failover is not None and self.failover.busy:
                return False
            views = {p.name: lab.ha.daemons[p.name] for p in self.peers if p.name in lab.ha.daemons}
            running = {n for n, v in views.items() if v.state in ("online", "starting") and lab.hosts[n].powered}
            if any(not d.stopped and d.view.state == "online" and d.doubt for d in list(self.daemons.values())):
                return False  # a watchdog runs down: that host fences, or shows it survives, within T
            master_daemon = self.daemons.get(lab.pool.master or "")
            if (
                master_daemon is not None
                and not master_daemon.stopped
                and master_daemon.view.state == "online"
                and master_daemon.view.sees_statefile
                and master_daemon.lock_holder() != lab.pool.master
            ):
                return False  # a designated master has not taken the statefile's master lock yet
            for name in running:  # what the links would deliver: the daemons must have seen it by now
                view = views[name]
                if view.network_peers != {p for p in running - {name} if self._reach(name, p)}:
                    return False
                if view.sees_statefile != self._reach_storage(name):
                    return False
                if (
                    view.state == "starting"
                    and self._reach_storage(name)
                    and any(views[p].state == "online" and self._reach(name, p) for p in running - {name})
                ):
                    return False  # it can join: wait for it
            online = {n: v for n, v in views.items() if v.state == "online"}
            for name, view in online.items():
                if view.liveset != view.network_peers | {name} or view.liveset != next(iter(online.values())).liveset:
                    return False
            for name, view in views.items():
                daemon = self.daemons.get(name)
                if view.state == "starting" and daemon is not None and not daemon.settled_starting():
                    return False
            master = views.get(lab.pool.master or "")
            return (
                master is None
                or master.state != "online"
                or all(lab.hosts[n].ha_live == (n in master.liveset) for n in views if n in lab.hosts)
            )

    def _reach(self, a: str, b: str) -> bool:
        """Whether heartbeats between two hosts get through, as the links are now (for settle only)."""
        from simlab.model import links

        mgmt = next(n.name for n in self.lab.networks.values() if n.purpose == "management")
        va, vb = links.switch_vlan_for(self.lab, a, mgmt), links.switch_vlan_for(self.lab, b, mgmt)
        return va is not None and va == vb

    def _reach_storage(self, host: str) -> bool:
        """Whether the host's statefile I/O can get through, as things are now (for settle only): its
        session is up, or will be once recovery logs in again with the credentials it has."""
        from simlab.model import links

        storage, sr = self.lab.storage, self.lab.srs.get(self.lab.pool.ha_heartbeat_sr or "")
        pbd = sr.pbd_of(host) if sr is not None else None
        if storage is None or not storage.powered or not storage.target_running or pbd is None or not pbd.attached:
            return False
        if sr is None or not any(t.iqn == sr.iqn and t.lun(sr.lun or 0) for t in storage.targets):
            return False
        session = pbd.session
        if session is None:
            return False
        if not session.logged_in and self.lab.iscsi is not None:  # recovery logs in with the PBD's CHAP
            chap = self.lab.iscsi.credentials(pbd)
            want = storage.chap_password.reveal() if storage.chap_password is not None else None
            if chap is not None and want is not None and chap.password != want:
                return False
        vh = links.switch_vlan_for(self.lab, host, self.storage_net)
        return vh is not None and vh == links.switch_vlan_for(self.lab, storage.name, self.storage_net)

    # -- supervision --------------------------------------------------------------------------------
    def _run(self) -> None:
        last_failover = 0.0
        while not self._stop.wait(POLL_S):
            try:
                enabled = self.lab.pool.ha_enabled
                if enabled and self.statefile is None:
                    self._enable()
                elif not enabled and self.statefile is not None:
                    self._disable()
                if self.statefile is None:
                    continue
                self._follow_power()
                now = time.monotonic()
                if self.failover is not None and now - last_failover >= self.timeouts.heartbeat_interval / 2:
                    last_failover = now
                    self._sync_master_lock()
                    if self.failover.tick():
                        self.lab.changed()
            except Exception:
                log.exception("HA supervision failed")

    @property
    def timeouts(self) -> Timeouts:
        return Timeouts(self.lab.pool.ha_timeout_s)

    def _enable(self) -> None:
        lab = self.lab
        with lab.lock:
            sr = lab.srs.get(lab.pool.ha_heartbeat_sr or "")
            storage = lab.storage
            hosts = sorted(lab.hosts.values(), key=lambda h: h.name)
            mgmt = next((n.name for n in lab.networks.values() if n.purpose == "management"), None)
            statefile = next(iter(lab.ha_statefiles()), None)
            if sr is None or sr.target is None or storage is None or mgmt is None or statefile is None:
                log.error("HA: no iSCSI heartbeat SR, statefile, storage server or management network: no xhad")
                return
            self.generation = str(uuidlib.uuid4())
            self.peers = [Peer(h.name, h.uuid, h.net_addresses.get(mgmt, ""), n) for n, h in enumerate(hosts)]
            master = lab.hosts.get(lab.pool.master or "")
            self.storage_net = storage.network
        self.statefile = statefile
        self._write_pool_block(master.name if master else None, master.uuid if master else "")
        self.failover = Failover(lab, [p.name for p in self.peers])
        for peer in self.peers:
            lab.ha.daemons[peer.name] = DaemonView()
            if lab.hosts[peer.name].powered:
                self._start_daemon(peer.name, joining=False)
        log.info("HA enabled: generation %s, T=%gs", self.generation, self.timeouts.t)

    def _disable(self) -> None:
        for daemon in self.daemons.values():
            daemon.stop()
        self.daemons.clear()
        if self.failover is not None:
            self.failover.stop()
            self.failover = None
        self.statefile = None
        with self.lab.lock:
            for view in self.lab.ha.daemons.values():
                view.state, view.liveset, view.network_peers = "stopped", frozenset(), frozenset()
            for host in self.lab.hosts.values():
                host.ha_live = True  # without HA, liveness is xapi's own heartbeat again
        self.booting.clear()

    def _start_daemon(self, name: str, joining: bool) -> None:
        me = next(p for p in self.peers if p.name == name)
        ns = self.names.host_ns(name)
        t = self.timeouts
        daemon = Daemon(
            me,
            [p for p in self.peers if p.name != name],
            self.generation,
            t,
            ns,
            device=lambda: IscsiStatefile(name, lambda: self._region(name), timeout=t.heartbeat_interval / 2),
            view=self.lab.ha.daemons[name],
            joining=joining,
            on_fence=self._fenced,
            on_master_lock=self._master_lock,
        )
        self.daemons[name] = daemon
        daemon.start()

    def _region(self, host: str) -> RegionDevice:
        """The statefile's region over the host's own session to the heartbeat SR (IscsiError without one)."""
        fabric, statefile = self.lab.iscsi, self.statefile
        if fabric is None or statefile is None:
            raise iscsi.IscsiError("io", f"{host}: no iSCSI sessions (the storage face is not running)")
        return fabric.device(host, statefile)

    def _write_pool_block(self, via: str | None, master_uuid: str) -> None:
        """Enabling HA: xapi on the master writes the pool's state and the master lock into the statefile."""
        block = encode({"generation": self.generation, "state": "active", "master": master_uuid})
        for host in [via] if via else [p.name for p in self.peers]:
            dev = IscsiStatefile(host, lambda h=host: self._region(h), timeout=self.timeouts.heartbeat_interval)
            try:
                dev.write(0, block)
                return
            except OSError as exc:
                log.warning("HA: the statefile's pool block not written through %s: %s", host, exc)
            finally:
                dev.close()

    def _follow_power(self) -> None:
        """Start xhad on hosts that booted, stop it on hosts that lost power."""
        now = time.monotonic()
        for peer in self.peers:
            host = self.lab.hosts.get(peer.name)
            if host is None:
                continue
            daemon = self.daemons.get(peer.name)
            if not host.powered:
                if daemon is not None and not daemon.stopped:
                    daemon.stop()
                    self.lab.ha.daemons[peer.name].state = "stopped"
                self.booting.setdefault(peer.name, float("inf"))
                continue
            due = self.booting.get(peer.name)
            if due == float("inf"):  # powered on again (BMC, or the reboot below): boot, then join
                self.booting[peer.name] = due = now + self.boot_s
            if due is not None and now >= due:
                del self.booting[peer.name]
                if daemon is not None:
                    daemon.stop()
                self._start_daemon(peer.name, joining=True)
                log.info("%s booted: xhad asks to join", peer.name)

    @property
    def boot_s(self) -> float:
        """How long a host takes to reboot: T in the twin (a real one takes minutes)."""
        return self.timeouts.t

    # -- callbacks from the daemons --------------------------------------------------------------
    def _fenced(self, name: str, reason: str) -> None:
        """The Xen watchdog: the host reboots."""
        with self.lab.lock:
            host = self.lab.hosts[name]
            host.powered = False
            self.fence_pending.add(name)
            self.lab.ha.log.append((time.time(), f"{name} fenced itself: {reason}"))
        self.lab.changed()
        threading.Timer(self.boot_s / 2, self._power_on_after_fence, args=(name,)).start()

    def _power_on_after_fence(self, name: str) -> None:
        if self._stop.is_set():
            return
        with self.lab.lock:
            self.lab.hosts[name].powered = True
            self.fence_pending.discard(name)
        self.lab.changed()

    def _sync_master_lock(self) -> None:
        """A master named by xapi (pool.designate_new_master) takes the statefile's master lock."""
        master = self.lab.pool.master or ""
        if master not in self.daemons:
            # A master HA was never configured on (xapi refuses pool.join while HA is on; the twin's
            # pool-master-lost fault makes one): no survivor's xhad knows it, so none takes over from it.
            return
        daemon = self.daemons[master]
        view = self.lab.ha.daemons.get(master)
        if view is None or view.state != "online" or daemon.stopped:
            self._propose_master(master)
            return
        holder = daemon.lock_holder()
        if holder != master:  # another holder, or a statefile that lost its pool block
            daemon.claim_master_lock()

    def _propose_master(self, master: str) -> None:
        """xapi on the survivors: the master left their liveset, so each asks its xhad for the master lock
        (granted to one of them, or to the one that already holds it, e.g. after a designated master failed
        before it took the lock over)."""
        for name, daemon in sorted(self.daemons.items()):
            if name != master and master not in daemon.view.liveset and daemon.propose_master():
                return

    def _master_lock(self, name: str) -> None:
        with self.lab.lock:
            if self.lab.pool.master == name:
                return
            self.lab.pool.master = name
            host = self.lab.hosts[name]
            messages.post(
                self.lab, "POOL_MASTER_TRANSITION", 3, "Host", host.uuid, f"{name} is the new pool master", notify=False
            )
            self.lab.ha.log.append((time.time(), f"{name} became master"))
        self.lab.changed()


def make(twin: Twin) -> HaFace | None:
    if not any(face.name == "dataplane" for face in twin.faces):
        log.warning("HA heartbeats need the data plane (root): HA stays configured but no host is ever fenced")
        return None
    if not any(face.name == "storage" for face in twin.faces):
        log.warning("HA storage heartbeats need the iSCSI target: HA stays configured but no host is ever fenced")
        return None
    return HaFace(twin.lab, Names(twin.lab.name, twin.lab.probe.netns))
