"""The HA face's settle: the lab is at rest only once HA's consequences have played out. Driven on a model with
stand-in daemons (no namespaces, no iSCSI), one condition at a time, from a pool that is at rest."""

from __future__ import annotations

from types import SimpleNamespace

from simlab.faces.ha import HaFace
from simlab.ha.daemon import Peer
from simlab.model.build import build_lab
from simlab.model.ha import DaemonView
from simlab.model.netnames import Names
from tests.harness import TWIN_INVENTORY
from xenlab.inventory import load_inventory


class StandIn:
    """What the face reads of a running xhad."""

    def __init__(self, view: DaemonView, lock: str | None) -> None:
        self.view, self.stopped, self.doubt, self.lock = view, False, False, lock

    def lock_holder(self) -> str | None:
        return self.lock

    def settled_starting(self) -> bool:
        return True


def at_rest_pool() -> tuple[object, HaFace]:
    lab = build_lab(load_inventory(TWIN_INVENTORY))
    face = HaFace(lab, Names(lab.name, lab.probe.netns))
    sr = lab.srs[lab.pool.ha_heartbeat_sr]
    face.statefile = next(v for v in sr.vdis if v.type == "ha_statefile")
    face.storage_net = lab.storage.network
    face.peers = [Peer(h.name, h.uuid, h.address, n) for n, h in enumerate(lab.hosts.values())]
    for pbd in sr.pbds:
        pbd.session = SimpleNamespace(logged_in=True)
    everyone = frozenset(lab.hosts)
    for name in lab.hosts:
        lab.ha.daemons[name] = DaemonView("online", everyone, everyone - {name}, True)
        face.daemons[name] = StandIn(lab.ha.daemons[name], lab.pool.master)
    assert face._at_rest(), "the stand-in pool should start at rest"
    return lab, face


def test_a_daemon_in_doubt_is_not_at_rest_until_it_fences_or_shows_it_survives() -> None:
    _lab, face = at_rest_pool()
    face.daemons["xen2"].doubt = True  # its watchdog runs down
    assert not face._at_rest()
    face.daemons["xen2"].doubt = False
    assert face._at_rest()


def test_a_master_that_does_not_hold_the_statefile_lock_is_not_at_rest() -> None:
    lab, face = at_rest_pool()
    other = next(name for name in lab.hosts if name != lab.pool.master)
    face.daemons[lab.pool.master].lock = other  # xapi named a master before it took the lock back
    assert not face._at_rest()
    face.daemons[lab.pool.master].lock = lab.pool.master
    assert face._at_rest()


def test_a_master_whose_xhad_cannot_see_the_statefile_is_not_waited_for() -> None:
    """Without the statefile it cannot take the lock: waiting for that would never end."""
    lab, face = at_rest_pool()
    master = face.daemons[lab.pool.master]
    master.lock, master.view.sees_statefile = None, False
    sr = lab.srs[lab.pool.ha_heartbeat_sr]
    sr.pbd_of(lab.pool.master).attached = False  # what the links say agrees: its statefile I/O cannot get through
    assert face._at_rest()
