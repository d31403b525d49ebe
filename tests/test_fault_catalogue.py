"""The fault catalogue: every fault the twin can inject, run against the whole acceptance suite.

For each fault (with the ready-to-run arguments `simlab faults` prints) this is the exact set of checks
that fail across suites/, and the object each failure message must name first. A fault on one end of a
cable is seen from both ends (the switch's port-channel and the host's bond), so physical faults fail
every check that observes them; logical ones fail exactly one. Nothing else may fail, and the healthy
twin fails nothing. The per-area tables (test_*_faults.py) check the messages word for word.
"""

from __future__ import annotations

import os
import shlex

import pytest

from tests.harness import TwinHarness
from tests.test_xenmotion_faults import DESTRUCTIVE_CATALOGUE

S, HB = "iqn.2006-01.com.openfiler:tsn.shared", "iqn.2006-01.com.openfiler:tsn.heartbeat"  # the targets

CATALOGUE: dict[str, dict[str, str]] = {
    "ha-disabled": {
        "ha/test_config.py::test_ha_enabled": "pool lab",
        "storage/test_ha_storage.py::test_heartbeat_sr_holds_statefile": "HeartBeat SR",
    },
    "ha-failures-to-tolerate 0": {
        "ha/test_config.py::test_ha_failures_to_tolerate": "pool lab",
    },
    "ha-no-capacity xen2": {
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
    },
    "ha-statefile-sr-unshared": {
        "ha/test_config.py::test_statefile_on_heartbeat_sr": "HeartBeat SR",
        "storage/test_srs.py::test_sr_shared[HeartBeat SR]": "HeartBeat SR",
    },
    # The hosts' own survival rules: a tie, xen1 (lowest host UUID in the tests' lab) survives, xen2 fences
    # itself and cannot rejoin while its management VLAN is off the trunk.
    "ha-heartbeat-cut xen2": {
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "network/test_trunks.py::test_trunk_allowed_vlans[Po2]": "Po2",
        "pool/test_hosts.py::test_host_live[xen2]": "xen2",
    },
    "vm-ha-unprotected CentOS6.5-test4": {
        "ha/test_config.py::test_vm_restart_priority[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-ha-order CentOS6.5-test4 9": {
        "ha/test_config.py::test_vm_restart_order[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    # Seen only when HA must restart the VM: tests/test_ha_failover.py fails test_host_failure[xen1] with it.
    "vm-disk-locked CentOS6.5-test1": {},
    "bond-hashing xen1 tcpudp_ports": {
        "network/test_bonds.py::test_bond_hashing[xen1]": "xen1",
    },
    # xen1 loses its LACP partner: no path at all, so HA fences it (not live) and the plan needs both hosts.
    "bond-mode xen1 balance-slb": {
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "pool/test_hosts.py::test_host_live[xen1]": "xen1",
        "network/test_bonds.py::test_bond_mode[xen1]": "xen1",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": "probe -> xen1 198.18.20.11",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_in_use[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Management]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Storage]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-XenMotion]": "xen1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": "CentOS6.5-test1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": "CentOS6.5-test2",
    },
    "bond-nics xen1 eth0": {
        "network/test_bonds.py::test_bond_nics[xen1]": "xen1",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
    },
    "dom0-service-stopped xen1 multipathd": {
        "pool/test_dom0.py::test_service_running[xen1-multipathd]": "xen1",
    },
    "host-cpu-mismatch xen2": {
        "pool/test_hosts.py::test_host_cpu_homogeneous[xen2]": "xen2",
    },
    "host-disabled xen2": {  # HA plans only on enabled hosts
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "pool/test_hosts.py::test_host_enabled[xen2]": "xen2",
    },
    "host-memory-mismatch xen2": {
        "pool/test_hosts.py::test_host_memory_homogeneous[xen2]": "xen2",
    },
    "host-mtu xen1 Storage 1500": {
        "network/test_bonds.py::test_network_mtu[xen1-Storage]": "xen1",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": "probe -> xen1 198.18.20.11",
        "pool/test_dom0.py::test_storage_interface_mtu[xen1]": "xen1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
    },
    "host-nic-down xen1 eth1": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
    },
    "host-not-live xen2": {  # HA plans only on live hosts
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "pool/test_hosts.py::test_host_live[xen2]": "xen2",
    },
    "iso-sr-missing ISOStore": {
        "storage/test_srs.py::test_pbd_attached[ISOStore-xen1]": "ISOStore",
        "storage/test_srs.py::test_sr_exists[ISOStore]": "ISOStore",
        "storage/test_srs.py::test_sr_pbds[ISOStore]": "ISOStore",
        "storage/test_srs.py::test_sr_shared[ISOStore]": "ISOStore",
    },
    "lacp-passive cisco-stack Po1": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": "probe -> xen1 198.18.20.11",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_in_use[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Management]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Storage]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-XenMotion]": "xen1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": "CentOS6.5-test1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": "CentOS6.5-test2",
    },
    "load-balance cisco-stack dst-ip": {
        "network/test_load_balance.py::test_load_balance[cisco-stack]": "cisco-stack",
    },
    "member-mismatch cisco-stack Gi2/0/13 99": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
    },
    "member-removed cisco-stack Gi2/0/13": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_spans_stack[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
    },
    "native-vlan-changed cisco-stack Po1 99": {
        "network/test_trunks.py::test_trunk_native_vlan[Po1]": "Po1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Management]": "xen1",
    },
    "network-vlan Data 31": {
        "network/test_bonds.py::test_network_vlan[xen1-Data]": "xen1",
        "network/test_bonds.py::test_network_vlan[xen2-Data]": "xen2",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": "CentOS6.5-test1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": "CentOS6.5-test2",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": "CentOS6.5-test3",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "pool-auto-poweron-off": {
        "pool/test_pool.py::test_pool_auto_poweron": "pool lab",
    },
    "pool-extra-host xen-extra": {
        "pool/test_pool.py::test_pool_hosts": "pool lab",
    },
    "pool-master-lost xen-extra": {
        "pool/test_pool.py::test_pool_hosts": "pool lab",
        "pool/test_pool.py::test_pool_master_in_inventory": "pool lab",
    },
    "pool-renamed lab-renamed": {
        "pool/test_pool.py::test_pool_name": "pool",
    },
    "stack-member-not-ready cisco-stack 2": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_bonds.py::test_bond_links_up[xen2]": "xen2",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1",
        "network/test_bonds.py::test_bond_slave_carrier[xen2-eth1]": "xen2",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_lacp_partner[Po2]": "Po2",
        "network/test_port_channels.py::test_lacp_partner[Po3]": "Po3",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po2]": "Po2",
        "network/test_port_channels.py::test_port_channel_bundled[Po3]": "Po3",
        "network/test_stack.py::test_stack_member_ready[2]": "cisco-stack",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
        "pool/test_dom0.py::test_bond_state[xen2]": "xen2",
    },
    "storage-mtu 1500": {
        "network/test_jumbo.py::test_jumbo_echo[openfiler]": "probe -> openfiler 198.18.20.10",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen2]": "xen2",
    },
    "svi-shutdown cisco-stack 30": {
        "network/test_vlans.py::test_svi_up[30]": "Vlan30",
    },
    "switch-member-shutdown cisco-stack Gi2/0/13": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1",
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": "Po1",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1",
    },
    "switch-system-mtu cisco-stack 1500": {
        "network/test_jumbo.py::test_jumbo_echo[openfiler]": "probe -> openfiler 198.18.20.10",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": "probe -> xen1 198.18.20.11",
        "network/test_jumbo.py::test_jumbo_echo[xen2]": "probe -> xen2 198.18.20.12",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen2]": "xen2",
    },
    "trunk-vlan-removed cisco-stack Po1 20": {
        "network/test_jumbo.py::test_jumbo_echo[xen1]": "probe -> xen1 198.18.20.11",
        "network/test_trunks.py::test_trunk_allowed_vlans[Po1]": "Po1",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": "xen1",
        "network/test_reachability.py::test_host_answers_ping[xen1-Storage]": "xen1",
    },
    "trunk-vlan-removed cisco-stack Po2 10": {
        "network/test_reachability.py::test_host_answers_ping[xen2-XenMotion]": "xen2",
        "network/test_trunks.py::test_trunk_allowed_vlans[Po2]": "Po2",
    },
    "vm-vif-unplugged CentOS6.5-test4": {
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vlan-deleted cisco-stack 30": {
        "network/test_vlans.py::test_vlan_exists[30]": "VLAN 30 (Data-VLAN)",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": "CentOS6.5-test1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": "CentOS6.5-test2",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": "CentOS6.5-test3",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vlan-suspended cisco-stack 30": {
        "network/test_vlans.py::test_vlan_active[30]": "VLAN 30 (Data-VLAN)",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": "CentOS6.5-test1",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": "CentOS6.5-test2",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": "CentOS6.5-test3",
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-auto-poweron-off CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_auto_poweron[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-halted CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_running[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-missing CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_exists[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-no-pv-drivers CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_pv_drivers[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    # Storage. A login the target refuses also hides its LUNs, so the LUN checks fail too, saying why.
    "target-stopped": {
        f"storage/test_sessions.py::test_iscsi_session[xen1-{HB}]": "xen1",
        f"storage/test_sessions.py::test_iscsi_session[xen1-{S}]": "xen1",
        f"storage/test_sessions.py::test_iscsi_session[xen2-{HB}]": "xen2",
        f"storage/test_sessions.py::test_iscsi_session[xen2-{S}]": "xen2",
        f"storage/test_target.py::test_chap_login[{HB}]": HB,
        f"storage/test_target.py::test_chap_login[{S}]": S,
        "storage/test_target.py::test_discovery_lists_targets": "openfiler",
        f"storage/test_target.py::test_lun_size[{HB}-lun1]": HB,
        f"storage/test_target.py::test_lun_size[{S}-lun1]": S,
        "storage/test_target.py::test_portal_answers": "openfiler",
    },
    "target-chap-changed": {
        f"storage/test_target.py::test_chap_login[{HB}]": HB,
        f"storage/test_target.py::test_chap_login[{S}]": S,
        f"storage/test_target.py::test_lun_size[{HB}-lun1]": HB,
        f"storage/test_target.py::test_lun_size[{S}-lun1]": S,
    },
    "pbd-unplugged 'Shared iSCSI' xen2": {
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test1]": "CentOS6.5-test1",
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test2]": "CentOS6.5-test2",
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test4]": "CentOS6.5-test4",
        f"storage/test_sessions.py::test_iscsi_session[xen2-{S}]": "xen2",
        "storage/test_srs.py::test_pbd_attached[Shared iSCSI-xen2]": "Shared iSCSI",
    },
    "sr-not-shared 'HeartBeat SR'": {
        "storage/test_srs.py::test_sr_shared[HeartBeat SR]": "HeartBeat SR",
    },
    f"lun-missing {S} 1": {
        f"storage/test_target.py::test_lun_size[{S}-lun1]": S,
    },
    "sr-nearly-full 'Shared iSCSI'": {
        "storage/test_srs.py::test_sr_utilisation[Shared iSCSI]": "Shared iSCSI",
    },
    "heartbeat-sr-too-small": {
        "storage/test_ha_storage.py::test_heartbeat_sr_size": "HeartBeat SR",
        f"storage/test_target.py::test_lun_size[{HB}-lun1]": HB,
    },
    "vm-disk-local CentOS6.5-test4": {
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test4]": "CentOS6.5-test4",
    },
}

# Checks that send packets observe only with the data plane (root); without it they skip.
PACKET_CHECKS = ("network/test_jumbo.py::", "pool/test_dom0.py::test_storage_ping_jumbo",
                 "network/test_reachability.py::", "storage/test_target.py::")


def test_catalogue_covers_every_registered_fault(twin: TwinHarness) -> None:
    import simlab.faults  # noqa: F401
    from simlab.faults.registry import REGISTRY

    entries = [*CATALOGUE, *DESTRUCTIVE_CATALOGUE]
    listed = {shlex.split(entry)[0] for entry in entries}
    assert listed == set(REGISTRY), f"not in the catalogue: {sorted(set(REGISTRY) - listed)}"
    for name, spec in REGISTRY.items():
        example = shlex.join([name, *spec.example(twin.inventory)])
        assert example in entries, f"{name}: no row with the arguments `simlab faults` shows ({example})"


def test_healthy_twin_fails_nothing(twin: TwinHarness) -> None:
    outcome = twin.healthy("suites")
    assert not outcome.failed, outcome.summary()


@pytest.mark.parametrize("entry", CATALOGUE)
def test_fault_fails_exactly_the_checks_that_observe_it(twin: TwinHarness, entry: str) -> None:
    name, *args = shlex.split(entry)
    expected = {k: v for k, v in CATALOGUE[entry].items() if os.geteuid() == 0 or not k.startswith(PACKET_CHECKS)}
    outcome = twin.run_suite("suites", [(name, args)])
    assert set(outcome.failed) == set(expected), outcome.summary()
    for check, obj in expected.items():
        assert outcome.failed[check].startswith(obj), f"{check}: {outcome.failed[check]!r} does not name {obj} first"
