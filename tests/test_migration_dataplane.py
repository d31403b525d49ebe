"""Live migration in the twin's data plane: a real memory copy over XenMotion, a short outage, a real gratuitous ARP.

Measured with the pinger from the probe's namespace, as the suite does: with the guest's announcement
a migration loses what its stop-and-copy pause covers; without it the switch keeps sending the VM's
frames to the old host and the VM stays unreachable; with the XenMotion VLAN off the destination's
trunk the copy cannot connect and the VM stays where it was.
"""

from __future__ import annotations

import time

import pytest

from simlab.model import migration
from tests.dataplane_support import dataplane, needs_root
from xenlab.pinger import Pinger

pytestmark = needs_root
LAB = "xlmig"
VM = "CentOS6.5-test1"
ADDRESS = "198.18.30.101"


def migrate_under_ping(inventory, lab, plane, dst: str) -> tuple[object, float]:
    with Pinger(ADDRESS, interval_s=0.05, netns=inventory.probe.netns) as pinger:
        time.sleep(0.5)
        downtime = migration.live_migrate(lab, VM, dst)
        plane.settle()
        time.sleep(1.0)
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
    with dataplane(LAB) as (inventory, lab, plane):
        lab.vms[VM].announces_on_resume = False
        report, _ = migrate_under_ping(inventory, lab, plane, "xen2")
        assert all(e.rtt_ms is None for e in report.echoes[-15:]), report.summary()


def test_xenmotion_vlan_off_the_destination_trunk_fails_the_copy() -> None:
    with dataplane(LAB) as (_inventory, lab, plane):
        lab.faults.inject("trunk-vlan-removed", ["cisco-stack", "Po2", "10"])
        plane.settle()
        with pytest.raises(migration.MigrationError, match="Failed to connect to xen2"):
            migration.live_migrate(lab, VM, "xen2")
        assert lab.vms[VM].resident_on == "xen1" and not lab.vms[VM].frozen
