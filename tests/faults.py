"""The one table of faults: every fault the twin can inject, and exactly what it turns red in suites/.

A row is ``"fault args"`` (the ready-to-run arguments ``simlab faults`` prints, or others) -> every check
that fails under it, each with how its message starts: the object it names first, then what is wrong.
Nothing else may fail. A fault on a cable is seen from both ends (the switch's port-channel, the host's
bond and OVS), and one on a path by every check whose packets cross it, so those rows are long; a logical
fault fails one check. Adding a fault is adding one row; tests/test_faults.py reads nothing else.
"""

from __future__ import annotations

import shlex

# Checks that send packets observe only with the data plane (root); without it they are skipped.
PACKET_CHECKS = (
    "network/test_jumbo.py::",
    "network/test_reachability.py::",
    "storage/test_target.py::",
    "pool/test_dom0.py::test_storage_ping_jumbo",
)

XEN1_JUMBO = "probe -> xen1 198.18.20.11: no reply to a 9000-byte DF echo"
XEN1_PATH_DOWN = "probe -> xen1 198.18.20.11: no reply to a 64-byte echo"
PING_PORTAL = "ping -M do -s 8972 to the storage portal 198.18.20.10 failed"
PO1_STANDALONE = (
    "Po1: member Gi1/0/13 is stand-alone (I), expected bundled (P); member Gi2/0/13 is stand-alone (I), "
    "expected bundled (P)"
)

ADDRESSES = {
    ("xen1", "Management"): "198.18.5.11",
    ("xen1", "Storage"): "198.18.20.11",
    ("xen1", "XenMotion"): "198.18.10.11",
    ("xen2", "Management"): "198.18.5.12",
    ("xen2", "XenMotion"): "198.18.10.12",
}


def host_unreachable(host: str, network: str) -> str:
    return f"{host}: no reply to ping at {ADDRESSES[host, network]} on the {network} network"


def iscsi_failed(host: str, target: str) -> dict[str, str]:
    check = f"storage/test_sessions.py::test_iscsi_session[{host}-iqn.2006-01.com.openfiler:tsn.{target}]"
    return {check: f"{host}: iSCSI session to iqn.2006-01.com.openfiler:tsn.{target} is FAILED, expected LOGGED_IN"}


# A host that loses the statefile (its storage path) or its peers (management) fences itself and reboots; it
# cannot join the liveset again while the fault lasts, so HA has no spare host for a plan, and the survivor
# restarts its VMs. Each such row fails these as well.
def fenced(host: str) -> dict[str, str]:
    return {
        "ha/test_config.py::test_ha_plan_exists": "pool lab: a failover plan exists for 0 host failures",
        f"pool/test_hosts.py::test_host_live[{host}]": f"{host}: host is not live, expected live",
    }


def vm_unreachable(vm: str) -> str:
    return f"{vm}: no reply to ping at 198.18.30.10{vm[-1]} on the Data network"


FAULTS: dict[str, dict[str, str]] = {
    "bond-hashing xen1 tcpudp_ports": {
        "network/test_bonds.py::test_bond_hashing[xen1]": "xen1: bond hashing is tcpudp_ports, expected src_mac",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 bond_mode is balance-tcp, expected balance-slb",
    },
    # xen1 cut off (its bond no longer speaks LACP): it fences, reboots alone, and xen2 restarts its VMs.
    "bond-mode xen1 balance-slb": {
        **fenced("xen1"),
        "network/test_reachability.py::test_host_answers_ping[xen1-Management]": host_unreachable("xen1", "Management"),
        "network/test_reachability.py::test_host_answers_ping[xen1-Storage]": host_unreachable("xen1", "Storage"),
        "network/test_reachability.py::test_host_answers_ping[xen1-XenMotion]": host_unreachable("xen1", "XenMotion"),
        "network/test_bonds.py::test_bond_mode[xen1]": "xen1: bond mode is balance-slb, expected lacp",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": XEN1_JUMBO,
        "network/test_jumbo.py::test_oversize_echo_dropped[xen1]": XEN1_PATH_DOWN,
        "network/test_port_channels.py::test_port_channel_in_use[Po1]": "Po1: flags SD, expected in use (SU)",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": PO1_STANDALONE,
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi1/0/13, Gi2/0/13",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 LACP status is off, expected negotiated",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": f"xen1: {PING_PORTAL}",
        **iscsi_failed("xen1", "heartbeat"),
        **iscsi_failed("xen1", "shared"),
    },
    "bond-nics xen1 eth0": {
        "network/test_bonds.py::test_bond_nics[xen1]": "xen1: bond is over eth0, expected eth0, eth1",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is stand-alone (I), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
    },
    "dom0-service-stopped xen1 multipathd": {
        "pool/test_dom0.py::test_service_running[xen1-multipathd]": "xen1: multipathd is not running",
    },
    "host-cpu-mismatch xen2": {
        "pool/test_hosts.py::test_host_cpu_homogeneous[xen2]": (
            "xen2: CPU GenuineIntel Intel(R) Xeon(R) CPU E5-2620 v4 @ 2.10GHz x8 differs from master xen1's "
            "GenuineIntel Intel(R) Xeon(R) CPU E5-2630 v3 @ 2.40GHz x8"
        ),
    },
    "host-disabled xen2": {
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "pool/test_hosts.py::test_host_enabled[xen2]": "xen2: host is disabled, expected enabled",
    },
    "host-memory-mismatch xen2": {
        "pool/test_hosts.py::test_host_memory_homogeneous[xen2]": (
            "xen2: memory 12.0 GiB differs from master xen1's 16.0 GiB by 25.0%, more than the 5% tolerance"
        ),
    },
    "host-mtu xen1 Storage 1500": {
        "network/test_bonds.py::test_network_mtu[xen1-Storage]": "xen1: network Storage has MTU 1500, expected 9000",
        "network/test_jumbo.py::test_jumbo_echo[xen1]": XEN1_JUMBO,
        "pool/test_dom0.py::test_storage_interface_mtu[xen1]": (
            "xen1: storage interface xapi2 has MTU 1500, expected 9000"
        ),
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": f"xen1: {PING_PORTAL}",
    },
    # A larger MTU than the inventory's: the path carries frames it should drop.
    "host-mtu xen1 Storage 9198": {
        "network/test_bonds.py::test_network_mtu[xen1-Storage]": "xen1: network Storage has MTU 9198, expected 9000",
        "network/test_jumbo.py::test_oversize_echo_dropped[xen1]": (
            "probe -> xen1 198.18.20.11: a 9001-byte DF echo got a reply; the path carries more than MTU 9000"
        ),
        "pool/test_dom0.py::test_storage_interface_mtu[xen1]": (
            "xen1: storage interface xapi2 has MTU 9198, expected 9000"
        ),
    },
    "host-nic-down xen1 eth1": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up, expected all",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1: bond slave eth1 has no carrier",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 member eth1 is disabled, expected enabled",
    },
    "host-not-live xen2": {
        "ha/test_config.py::test_ha_plan_exists": "pool lab",
        "pool/test_hosts.py::test_host_live[xen2]": "xen2: host is not live, expected live",
    },
    "iso-sr-missing ISOStore": {
        "storage/test_srs.py::test_pbd_attached[ISOStore-xen1]": "ISOStore",
        "storage/test_srs.py::test_sr_exists[ISOStore]": "ISOStore",
        "storage/test_srs.py::test_sr_pbds[ISOStore]": "ISOStore",
        "storage/test_srs.py::test_sr_shared[ISOStore]": "ISOStore",
    },
    # The switch's end only: the hosts' bonds run LACP active, so the channel still bundles (two passive ends
    # would not); the drift is in the configuration, and only the mode check sees it.
    "lacp-passive cisco-stack Po1": {
        "network/test_port_channels.py::test_port_channel_mode[Po1]": (
            "Po1: Gi1/0/13 channel-group mode is passive, expected active; "
            "Gi2/0/13 channel-group mode is passive, expected active"
        ),
    },
    "load-balance cisco-stack dst-ip": {
        "network/test_load_balance.py::test_load_balance[cisco-stack]": (
            "cisco-stack: port-channel load-balance is dst-ip, expected src-mac to match the bonds' src_mac hashing"
        ),
    },
    "member-mismatch cisco-stack Gi2/0/13 99": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up, expected all",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is suspended (s), expected bundled (P)"
        ),
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 member eth1 is disabled, expected enabled",
    },
    "member-removed cisco-stack Gi2/0/13": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up, expected all",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is not in the port-channel"
        ),
        "network/test_port_channels.py::test_port_channel_spans_stack[Po1]": (
            "Po1: members Gi1/0/13 are on stack member(s) 1, expected at least 2 stack members"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 member eth1 is disabled, expected enabled",
    },
    # xen1's management frames land in VLAN 99: the hosts no longer hear each other, both still reach the
    # statefile, and the tie between two one-host partitions goes to the lowest host UUID (xen1's): xen2 fences.
    "native-vlan-changed cisco-stack Po1 99": {
        **fenced("xen2"),
        "network/test_reachability.py::test_host_answers_ping[xen1-Management]": host_unreachable("xen1", "Management"),
        "network/test_trunks.py::test_trunk_native_vlan[Po1]": "Po1: native VLAN 99, expected 5",
    },
    # A network's VLAN is a pool-wide object: every host's PIF on it moves.
    "network-vlan Data 31": {
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": vm_unreachable("CentOS6.5-test1"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": vm_unreachable("CentOS6.5-test2"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": vm_unreachable("CentOS6.5-test3"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": vm_unreachable("CentOS6.5-test4"),
        "network/test_bonds.py::test_network_vlan[xen1-Data]": (
            "xen1: network Data is VLAN 31 over bond0, expected VLAN 30 over bond0"
        ),
        "network/test_bonds.py::test_network_vlan[xen2-Data]": (
            "xen2: network Data is VLAN 31 over bond0, expected VLAN 30 over bond0"
        ),
    },
    "pool-auto-poweron-off": {
        "pool/test_pool.py::test_pool_auto_poweron": "pool lab: other_config:auto_poweron is false, expected true",
    },
    "pool-extra-host xen-extra": {
        "pool/test_pool.py::test_pool_hosts": "pool lab: hosts are xen-extra, xen1, xen2: unexpected xen-extra",
        "ha/test_config.py::test_statefile_on_heartbeat_sr": (
            "HeartBeat SR: holds the HA statefile but is not attached on xen-extra"
        ),
    },
    # A master the inventory does not list is, by definition, also a host it does not list.
    "pool-master-lost xen-extra": {
        "pool/test_pool.py::test_pool_hosts": "pool lab: hosts are xen-extra, xen1, xen2: unexpected xen-extra",
        "pool/test_pool.py::test_pool_master_in_inventory": (
            "pool lab: master is xen-extra, expected one of the inventory's hosts (xen1, xen2)"
        ),
        "ha/test_config.py::test_statefile_on_heartbeat_sr": (
            "HeartBeat SR: holds the HA statefile but is not attached on xen-extra"
        ),
    },
    "pool-renamed lab-renamed": {
        "pool/test_pool.py::test_pool_name": "pool: name is 'lab-renamed', expected 'lab'",
    },
    "stack-member-not-ready cisco-stack 2": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up, expected all",
        "network/test_bonds.py::test_bond_links_up[xen2]": "xen2: bond has 1 of 2 links up, expected all",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1: bond slave eth1 has no carrier",
        "network/test_bonds.py::test_bond_slave_carrier[xen2-eth1]": "xen2: bond slave eth1 has no carrier",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_port_channel_bundled[Po2]": (
            "Po2: member Gi2/0/14 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_port_channel_bundled[Po3]": (
            "Po3: member Gi2/0/24 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
        "network/test_port_channels.py::test_lacp_partner[Po2]": "Po2: no LACP partner (xen2) on Gi2/0/14",
        "network/test_port_channels.py::test_lacp_partner[Po3]": "Po3: no LACP partner (openfiler) on Gi2/0/24",
        "network/test_stack.py::test_stack_member_ready[2]": (
            "cisco-stack: stack member 2 is Provisioned, expected Ready"
        ),
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 member eth1 is disabled, expected enabled",
        "pool/test_dom0.py::test_bond_state[xen2]": "xen2: bond0 member eth1 is disabled, expected enabled",
    },
    "storage-mtu 1500": {
        "network/test_jumbo.py::test_jumbo_echo[openfiler]": (
            "probe -> openfiler 198.18.20.10: no reply to a 9000-byte DF echo"
        ),
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": f"xen1: {PING_PORTAL}",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen2]": f"xen2: {PING_PORTAL}",
    },
    "svi-shutdown cisco-stack 30": {
        "network/test_vlans.py::test_svi_up[30]": "Vlan30: SVI is administratively down/down, expected up/up",
    },
    "switch-member-shutdown cisco-stack Gi2/0/13": {
        "network/test_bonds.py::test_bond_links_up[xen1]": "xen1: bond has 1 of 2 links up, expected all",
        "network/test_bonds.py::test_bond_slave_carrier[xen1-eth1]": "xen1: bond slave eth1 has no carrier",
        "network/test_port_channels.py::test_port_channel_bundled[Po1]": (
            "Po1: member Gi2/0/13 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po1]": "Po1: no LACP partner (xen1) on Gi2/0/13",
        "pool/test_dom0.py::test_bond_state[xen1]": "xen1: bond0 member eth1 is disabled, expected enabled",
    },
    # The same fault on xen2's cable: the checks follow the object.
    "switch-member-shutdown cisco-stack Gi2/0/14": {
        "network/test_bonds.py::test_bond_links_up[xen2]": "xen2: bond has 1 of 2 links up, expected all",
        "network/test_bonds.py::test_bond_slave_carrier[xen2-eth1]": "xen2: bond slave eth1 has no carrier",
        "network/test_port_channels.py::test_port_channel_bundled[Po2]": (
            "Po2: member Gi2/0/14 is down (D), expected bundled (P)"
        ),
        "network/test_port_channels.py::test_lacp_partner[Po2]": "Po2: no LACP partner (xen2) on Gi2/0/14",
        "pool/test_dom0.py::test_bond_state[xen2]": "xen2: bond0 member eth1 is disabled, expected enabled",
    },
    "switch-system-mtu cisco-stack 1500": {
        "network/test_jumbo.py::test_jumbo_echo[openfiler]": (
            "probe -> openfiler 198.18.20.10: no reply to a 9000-byte DF echo"
        ),
        "network/test_jumbo.py::test_jumbo_echo[xen1]": XEN1_JUMBO,
        "network/test_jumbo.py::test_jumbo_echo[xen2]": "probe -> xen2 198.18.20.12: no reply to a 9000-byte DF echo",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": f"xen1: {PING_PORTAL}",
        "pool/test_dom0.py::test_storage_ping_jumbo[xen2]": f"xen2: {PING_PORTAL}",
    },
    # xen1 loses the statefile while xen2 keeps it: xen1 fences (HA's rule 2 needs every host to have lost it).
    "trunk-vlan-removed cisco-stack Po1 20": {
        **fenced("xen1"),
        **iscsi_failed("xen1", "heartbeat"),
        **iscsi_failed("xen1", "shared"),
        "network/test_reachability.py::test_host_answers_ping[xen1-Storage]": host_unreachable("xen1", "Storage"),
        "network/test_jumbo.py::test_jumbo_echo[xen1]": XEN1_JUMBO,
        "network/test_jumbo.py::test_oversize_echo_dropped[xen1]": XEN1_PATH_DOWN,
        "network/test_trunks.py::test_trunk_allowed_vlans[Po1]": (
            "Po1: trunk does not allow VLAN 20 (Storage), used by xen1"
        ),
        "pool/test_dom0.py::test_storage_ping_jumbo[xen1]": f"xen1: {PING_PORTAL}",
    },
    # XenMotion's VLAN off xen2's trunk: xen2 unreachable there (and, in a destructive session, migrations fail).
    "trunk-vlan-removed cisco-stack Po2 10": {
        "network/test_reachability.py::test_host_answers_ping[xen2-XenMotion]": host_unreachable("xen2", "XenMotion"),
        "network/test_trunks.py::test_trunk_allowed_vlans[Po2]": (
            "Po2: trunk does not allow VLAN 10 (XenMotion), used by xen2"
        ),
    },
    "vm-vif-unplugged CentOS6.5-test4": {
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": vm_unreachable("CentOS6.5-test4"),
    },
    "vlan-deleted cisco-stack 30": {
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": vm_unreachable("CentOS6.5-test1"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": vm_unreachable("CentOS6.5-test2"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": vm_unreachable("CentOS6.5-test3"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": vm_unreachable("CentOS6.5-test4"),
        "network/test_vlans.py::test_vlan_exists[30]": "VLAN 30 (Data-VLAN): missing from cisco-stack",
    },
    "vlan-suspended cisco-stack 30": {
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test1]": vm_unreachable("CentOS6.5-test1"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test2]": vm_unreachable("CentOS6.5-test2"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test3]": vm_unreachable("CentOS6.5-test3"),
        "network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test4]": vm_unreachable("CentOS6.5-test4"),
        "network/test_vlans.py::test_vlan_active[30]": "VLAN 30 (Data-VLAN): status suspended, expected active",
    },
    "vm-auto-poweron-off CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_auto_poweron[CentOS6.5-test4]": (
            "CentOS6.5-test4: other_config:auto_poweron is false, expected true"
        ),
    },
    "vm-halted CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_running[CentOS6.5-test4]": "CentOS6.5-test4: VM is halted, expected running",
    },
    "vm-missing CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_exists[CentOS6.5-test4]": "CentOS6.5-test4: VM does not exist",
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test4]": "CentOS6.5-test4: VM does not exist",
    },
    "vm-no-pv-drivers CentOS6.5-test4": {
        "pool/test_vms.py::test_vm_pv_drivers[CentOS6.5-test4]": (
            "CentOS6.5-test4: PV drivers not detected, expected installed and running"
        ),
    },
    # Storage (messages pinned to the object they name first). A login the target refuses also hides its LUNs.
    "target-stopped": {
        "storage/test_sessions.py::test_iscsi_session[xen1-iqn.2006-01.com.openfiler:tsn.heartbeat]": "xen1",
        "storage/test_sessions.py::test_iscsi_session[xen1-iqn.2006-01.com.openfiler:tsn.shared]": "xen1",
        "storage/test_sessions.py::test_iscsi_session[xen2-iqn.2006-01.com.openfiler:tsn.heartbeat]": "xen2",
        "storage/test_sessions.py::test_iscsi_session[xen2-iqn.2006-01.com.openfiler:tsn.shared]": "xen2",
        "storage/test_target.py::test_chap_login[iqn.2006-01.com.openfiler:tsn.heartbeat]": (
            "iqn.2006-01.com.openfiler:tsn.heartbeat"
        ),
        "storage/test_target.py::test_chap_login[iqn.2006-01.com.openfiler:tsn.shared]": (
            "iqn.2006-01.com.openfiler:tsn.shared"
        ),
        "storage/test_target.py::test_discovery_lists_targets": "openfiler",
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.heartbeat-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.heartbeat"
        ),
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.shared-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.shared"
        ),
        "storage/test_target.py::test_portal_answers": "openfiler",
    },
    "target-chap-changed": {
        "storage/test_target.py::test_chap_login[iqn.2006-01.com.openfiler:tsn.heartbeat]": (
            "iqn.2006-01.com.openfiler:tsn.heartbeat"
        ),
        "storage/test_target.py::test_chap_login[iqn.2006-01.com.openfiler:tsn.shared]": (
            "iqn.2006-01.com.openfiler:tsn.shared"
        ),
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.heartbeat-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.heartbeat"
        ),
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.shared-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.shared"
        ),
    },
    "pbd-unplugged 'Shared iSCSI' xen2": {
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test1]": "CentOS6.5-test1",
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test2]": "CentOS6.5-test2",
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test4]": "CentOS6.5-test4",
        "storage/test_sessions.py::test_iscsi_session[xen2-iqn.2006-01.com.openfiler:tsn.shared]": "xen2",
        "storage/test_srs.py::test_pbd_attached[Shared iSCSI-xen2]": "Shared iSCSI",
    },
    "sr-not-shared 'HeartBeat SR'": {
        "storage/test_srs.py::test_sr_shared[HeartBeat SR]": "HeartBeat SR: SR is not shared, expected shared",
        "ha/test_config.py::test_statefile_on_heartbeat_sr": "HeartBeat SR: holds the HA statefile but is not shared",
    },
    "lun-missing iqn.2006-01.com.openfiler:tsn.shared 1": {
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.shared-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.shared"
        ),
    },
    "sr-nearly-full 'Shared iSCSI'": {
        "storage/test_srs.py::test_sr_utilisation[Shared iSCSI]": "Shared iSCSI",
    },
    "heartbeat-sr-too-small": {
        "storage/test_ha_storage.py::test_heartbeat_sr_size": "HeartBeat SR",
        "storage/test_target.py::test_lun_size[iqn.2006-01.com.openfiler:tsn.heartbeat-lun1]": (
            "iqn.2006-01.com.openfiler:tsn.heartbeat"
        ),
    },
    "vm-disk-local CentOS6.5-test4": {
        "storage/test_ha_storage.py::test_vm_disks_agile[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    # HA (messages pinned to the object they name first).
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
    # Management off xen2's trunk: the hosts no longer hear each other and the tie goes to xen1 (lowest UUID).
    "ha-heartbeat-cut xen2": {
        **fenced("xen2"),
        "network/test_reachability.py::test_host_answers_ping[xen2-Management]": host_unreachable("xen2", "Management"),
        "network/test_trunks.py::test_trunk_allowed_vlans[Po2]": (
            "Po2: trunk does not allow VLAN 5 (Management), used by xen2"
        ),
    },
    "vm-ha-unprotected CentOS6.5-test4": {
        "ha/test_config.py::test_vm_restart_priority[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    "vm-ha-order CentOS6.5-test4 9": {
        "ha/test_config.py::test_vm_restart_order[CentOS6.5-test4]": "CentOS6.5-test4",
    },
    # Seen only by the destructive failover check: nothing fails in this run.
    "vm-disk-locked CentOS6.5-test1": {},
    # xen2 without its Data VLAN PIF: seen as the missing PIF, as VMs no host can take over for another, as a plan
    # HA no longer has, and on the wire as xen2's Data VMs cut off.
    "host-vlan-missing xen2 Data": {
        "network/test_bonds.py::test_network_vlan[xen2-Data]": "xen2: network Data has no PIF on this host",
        "network/test_bonds.py::test_network_mtu[xen2-Data]": "xen2: network Data has no PIF on this host",
        **{
            f"ha/test_config.py::test_vm_networks_agile[CentOS6.5-test{n}]": f"CentOS6.5-test{n}: not agile "
            "(HA cannot restart it elsewhere): VIF on network Data, which has no attached PIF on xen2"
            for n in (1, 2, 3, 4)
        },
        "ha/test_config.py::test_ha_plan_exists": "pool lab: a failover plan exists for 0 host failures and HA is "
        "overcommitted, expected a plan for at least 1 (CentOS6.5-test1, CentOS6.5-test2, CentOS6.5-test4 cannot "
        "restart on every host",
        **{
            f"network/test_reachability.py::test_vm_answers_ping[CentOS6.5-test{n}]": f"CentOS6.5-test{n}: no reply "
            f"to ping at 198.18.30.10{n} on the Data network, running on xen2"
            for n in (3, 4)
        },
    },
}


# Rows whose outcome is not yet deterministic: they run and report as non-strict xfails. None now: the two
# master-fencing rows (bond-mode, trunk Po1 20) were racing a master named back by _put_back before it took the
# statefile's master lock; the survivor holding the lock now becomes master (xapi's propose-master), and the HA
# face is not at rest until a named master holds the lock and no watchdog runs down.
UNPINNED: frozenset[str] = frozenset()

# Checks a row may also turn red, at a moment nobody chooses, as on a real lab. With the switch's MTU back at
# 1500 the storage VLAN black-holes every TCP segment above it: an iSCSI session stays logged in until a command
# stuck behind one times out, then recovers (FAILED) and logs in again, over and over (open-iscsi does the same on
# its NOP-Out timeout). Whether a check catches a session in recovery is that timing; when it does, its message
# is still the usual one.
MAY_ALSO_FAIL: dict[str, dict[str, str]] = {
    "switch-system-mtu cisco-stack 1500": {
        **iscsi_failed("xen1", "heartbeat"),
        **iscsi_failed("xen2", "heartbeat"),
        **iscsi_failed("xen1", "shared"),
        **iscsi_failed("xen2", "shared"),
    },
}


def param(entry: str) -> object:
    """A table row as a pytest parameter; an unpinned row is a known, reported gap rather than a red CI."""
    import pytest

    if entry in UNPINNED:
        return pytest.param(entry, marks=pytest.mark.xfail(strict=False, reason="outcome not yet deterministic"))
    return entry


def split(entry: str) -> tuple[str, list[str]]:
    """``"pbd-unplugged 'Shared iSCSI' xen2"`` -> ``("pbd-unplugged", ["Shared iSCSI", "xen2"])`` (shell quoting)."""
    name, *args = shlex.split(entry)
    return name, args


def is_packet_check(check: str) -> bool:
    return check.startswith(PACKET_CHECKS)


# ==================================================================================================
# Destructive rows: faults only a destructive session observes (suites/xenmotion, run with
# --allow-destructive --lab-name). Same form as FAULTS; proved by tests/test_xenmotion_faults.py, one
# suite run per row. Kept apart (and last) so the destructive and non-destructive rows change separately.
# ==================================================================================================

XENMOTION_CHECK = "xenmotion/test_live_migration.py::test_live_migration_loses_at_most_the_budget[{}]"
XM_VM1, XM_VM4 = "CentOS6.5-test1", "CentOS6.5-test4"

DESTRUCTIVE_CATALOGUE: dict[str, dict[str, str]] = {
    "migration-downtime CentOS6.5-test1 3000": {XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: "},
    "vm-suspend-unacknowledged CentOS6.5-test1": {
        XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: live migration xen1 -> xen2 failed: VM_MIGRATE_FAILED"
    },
    "vm-no-gratuitous-arp CentOS6.5-test1": {XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: "},
    "host-memory-exhausted xen2": {
        XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: live migration xen1 -> xen2 failed: HOST_NOT_ENOUGH_FREE_MEMORY"
    },
    # xen2 without the Data VLAN: CentOS6.5-test1 cannot go there, and CentOS6.5-test4, already there, is cut off
    # from its network before its own migration starts.
    "host-vlan-missing xen2 Data": {
        XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: live migration xen1 -> xen2 failed: VM_REQUIRES_NETWORK",
        XENMOTION_CHECK.format(XM_VM4): f"{XM_VM4}: does not answer ping at 198.18.30.104 steadily before",
    },
    "trunk-vlan-removed cisco-stack Po2 10": {
        XENMOTION_CHECK.format(XM_VM1): f"{XM_VM1}: live migration xen1 -> xen2 failed: VM_MIGRATE_FAILED",
        XENMOTION_CHECK.format(XM_VM4): f"{XM_VM4}: live migration xen2 -> xen1 failed: VM_MIGRATE_FAILED",
    },
}
# Rows whose check fails on the ping budget: its message also says how many were lost at which interval.
DESTRUCTIVE_LOSS_ROWS: frozenset[str] = frozenset(
    {"migration-downtime CentOS6.5-test1 3000", "vm-no-gratuitous-arp CentOS6.5-test1"}
)
