"""dom0 answers like a dom0: a jumbo ping that cannot pass prints what iputils prints on a real host.

A switch that drops giants makes the sender see loss (``100% packet loss``); a host interface
whose own MTU is too small makes ping say ``message too long, mtu=N``. Never the veth's
``sendmsg: No buffer space available``, which no real host prints.
"""

from __future__ import annotations

from simlab.faces.dataplane.names import Names
from simlab.faces.dom0.commands import Dom0
from tests.dataplane_support import dataplane, needs_root

pytestmark = needs_root
LAB = "xlfidm"
PORTAL = "198.18.20.10"
JUMBO = f"ping -M do -s {9000 - 28} -c 2 -i 0.2 -W 1 {PORTAL}"


def test_switch_dropping_giants_is_loss_on_the_host() -> None:
    with dataplane(LAB) as (_inventory, lab, plane):
        dom0 = Dom0(lab, "xen1", Names(lab.name, lab.probe.netns))
        rc, out, err = dom0.run(JUMBO)
        assert rc == 0, out + err
        with lab.lock:
            lab.switches["cisco-stack"].system_mtu = 1500
        lab.changed()
        assert plane.settle()
        rc, out, err = dom0.run(JUMBO)
        assert rc == 1 and err == "", (rc, out, err)
        assert "2 packets transmitted, 0 received, 100% packet loss" in out
        assert "No buffer space" not in out + err
        rc, out, err = dom0.run(f"ping -M do -s {1500 - 28} -c 1 -W 1 {PORTAL}")
        assert rc == 0, "a frame of the switch's MTU still passes"


def test_host_mtu_too_small_is_message_too_long() -> None:
    with dataplane(LAB) as (_inventory, lab, plane):
        with lab.lock:
            lab.hosts["xen1"].net_mtu["Storage"] = 1500
        lab.changed()
        assert plane.settle()
        rc, out, err = Dom0(lab, "xen1", Names(lab.name, lab.probe.netns)).run(JUMBO)
        assert rc != 0 and "message too long, mtu=1500" in (out + err).lower(), (rc, out, err)
