"""The data plane comes up, follows the switch's configuration, and leaves nothing behind."""

from __future__ import annotations

import subprocess

from simlab.model.netnames import Names
from tests.dataplane_support import dataplane, in_netns, needs_root, netns_list

pytestmark = needs_root
LAB = "xldpt"


def ping(netns: str, dst: str, size: int = 56) -> bool:
    return in_netns(netns, "ping", "-c", "1", "-W", "1", "-M", "do", "-s", str(size), dst).returncode == 0


def ours(names: Names) -> set[str]:
    # Only this lab's namespaces: other twins (a user's, another test run's) may come and go meanwhile.
    return {ns for ns in netns_list() if names.owns(ns)}


def root_links() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines()}


def test_up_and_down_leave_netns_list_as_before() -> None:
    names = Names(LAB, f"xlprobe-{LAB}")
    before, links_before = ours(names), root_links()
    with dataplane(LAB) as (inventory, _lab, _plane):
        created = ours(names) - before
        assert names.switch_ns in created and inventory.probe.netns in created
        assert names.host_ns("xen1") in created and names.storage_ns("openfiler") in created
        assert not {n for n in root_links() - links_before if n.startswith(("vlan", "h-", "n-", "v-", "p-"))}, (
            "the data plane created links in the root namespace"
        )
    assert ours(names) == before == set()


def test_leftovers_of_a_crashed_twin_are_removed_at_start() -> None:
    names = Names(LAB, f"xlprobe-{LAB}")
    stale = f"{names.prefix}host-gone"
    subprocess.run(["ip", "netns", "add", stale], check=True)
    with dataplane(LAB):
        assert stale not in netns_list()
    assert ours(names) == set()


def test_jumbo_path_and_strict_mtu() -> None:
    with dataplane(LAB) as (inventory, _lab, _plane):
        probe_ns = inventory.probe.netns
        assert ping(probe_ns, "198.18.20.11", 9000 - 28)
        assert not ping(probe_ns, "198.18.20.11", 9001 - 28), "xen1 accepted a frame above its MTU"
        host_ns = Names(LAB, probe_ns).host_ns("xen1")
        assert ping(host_ns, "198.18.20.10", 9000 - 28)


def test_port_channel_shutdown_stops_forwarding_and_no_shutdown_restores_it() -> None:
    with dataplane(LAB) as (inventory, lab, plane):
        probe_ns = inventory.probe.netns
        assert ping(probe_ns, "198.18.20.11")
        with lab.lock:
            lab.switches["cisco-stack"].interface("Port-channel1").shutdown = True
        lab.changed()
        assert plane.settle()
        assert not ping(probe_ns, "198.18.20.11"), "xen1 still answers with Po1 shut down"
        assert ping(probe_ns, "198.18.20.12"), "xen2 must not be affected by Po1"
        with lab.lock:
            lab.switches["cisco-stack"].interface("Port-channel1").shutdown = False
        lab.changed()
        assert plane.settle()
        assert ping(probe_ns, "198.18.20.11")


def test_reconcile_without_a_model_change_changes_nothing() -> None:
    with dataplane(LAB) as (_inventory, lab, plane):
        lab.changed()
        assert plane.settle()
        assert plane.last_changes == 0
