"""Live migration in the twin's data plane: a real memory copy over XenMotion, a short outage, a real gratuitous ARP.

Measured with the pinger from the probe's namespace, as the suite does: with the guest's announcement
a migration loses what its stop-and-copy pause covers; without it the switch keeps sending the VM's
frames to the old host and the VM stays unreachable; with the XenMotion VLAN off the destination's
trunk the copy cannot connect and the VM stays where it was.
"""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest

from simlab.model import migration
from simlab.model.desired import QUIET_NEIGH_MS
from simlab.model.netnames import Names
from tests.dataplane_support import dataplane, in_netns, needs_root
from xenlab.pinger import Pinger

pytestmark = needs_root
LAB = "xlmig"
VM = "CentOS6.5-test1"
ADDRESS = "198.18.30.101"


def migrate_under_ping(inventory, lab, plane, dst: str, after_s: float = 1.0) -> tuple[object, float]:
    with Pinger(ADDRESS, interval_s=0.05, netns=inventory.probe.netns) as pinger:
        time.sleep(0.5)
        downtime = migration.live_migrate(lab, VM, dst)
        plane.settle()
        pinger.mark("migrated")
        time.sleep(after_s)
    return pinger.report, downtime


def test_live_migration_loses_only_the_pause_and_the_vm_answers_on_the_destination() -> None:
    with dataplane(LAB) as (inventory, lab, plane):
        lab.migration_downtime_ms = (100.0, 100.0)
        report, downtime = migrate_under_ping(inventory, lab, plane, "xen2")
        assert lab.vms[VM].resident_on == "xen2"
        assert downtime == pytest.approx(0.1)
        assert report.received > 20 and 1 <= report.lost <= 6, report.summary()
        assert report.echoes[-1].rtt_ms is not None, report.summary()


def test_without_the_gratuitous_arp_the_vm_stays_unreachable() -> None:
    """Past the 5 s after its first answered echo at which a Linux guest would probe the prober's address with a
    unicast ARP from wherever it now is (a fresh twin's guest meets the prober as the suite starts pinging)."""
    with dataplane(LAB) as (inventory, lab, plane):
        lab.vms[VM].announces_on_resume = False
        report, _ = migrate_under_ping(inventory, lab, plane, "xen2", after_s=6.0)
        after = report.since("migrated")
        assert after.sent > 100 and after.received == 0, after.summary()


def test_xenmotion_vlan_off_the_destination_trunk_fails_the_copy() -> None:
    with dataplane(LAB) as (_inventory, lab, plane):
        lab.faults.inject("trunk-vlan-removed", ["cisco-stack", "Po2", "10"])
        plane.settle()
        with pytest.raises(migration.MigrationError, match="Failed to connect to xen2"):
            migration.live_migrate(lab, VM, "xen2")
        assert lab.vms[VM].resident_on == "xen1" and not lab.vms[VM].frozen


def test_the_guest_and_the_probe_send_no_arp_of_their_own_within_a_run() -> None:
    """Their ARP entries stay reachable for an hour, so nothing but a gratuitous ARP re-teaches the switch where
    a moved guest is (a Linux guest's own unicast re-probe, every 15-45 s, would at a moment of its choosing)."""
    with dataplane(LAB) as (inventory, lab, _plane):
        names = Names(lab.name, lab.probe.netns)
        where = [(names.vm_ns(VM), "eth0")] + [(inventory.probe.netns, p.interface) for p in inventory.probe.interfaces]
        for ns, ifname in where:
            for key, want in (("base_reachable_time_ms", QUIET_NEIGH_MS), ("delay_first_probe_time", 3600)):
                got = in_netns(ns, "cat", f"/proc/sys/net/ipv4/neigh/{ifname}/{key}").stdout.strip()
                assert got == str(want), f"{ns} {ifname} {key}: {got}"


def test_a_new_guest_under_an_old_name_reports_its_address_only_once_its_vif_is_plugged() -> None:
    """The next run's clone has the name, address and even the domid of the one destroyed before it: its agent
    reports the address (which is when a suite starts pinging it) only after its own VIF is plugged and
    announced, never on the strength of its predecessor's."""
    with dataplane(LAB) as (_inventory, lab, plane):
        old = lab.vms[VM]
        assert lab.guest_network_up(old)
        with lab.lock:
            new = dataclasses.replace(old, uuid=str(uuid.uuid4()), mac="02:00:00:00:99:01", vbds=[])
            lab.vms[VM] = new  # not announced to the data plane yet: lab.changed() is what wakes it
        assert new.domid == old.domid and not lab.guest_network_up(new)
        lab.changed()
        assert plane.settle()
        assert lab.guest_network_up(new)
