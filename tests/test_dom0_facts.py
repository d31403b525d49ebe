"""dom0 facts are parsed in the library: recorded output of ovs-appctl, ip -j and iscsiadm in, typed facts out."""

from __future__ import annotations

from xenlab.dom0 import expected_bond_state, parse_bond_show, parse_ip_addr, parse_iscsi_sessions

# ovs-appctl bond/show on XenServer 7 (OVS 2.5): "slave" lines.
BOND_SHOW_LACP = """\
---- bond0 ----
bond_mode: balance-slb
bond may use recirculation: no, Recirc-ID : -1
bond-hash-basis: 0
updelay: 31000 ms
downdelay: 200 ms
next rebalance: 6342 ms
lacp_status: negotiated
lacp_fallback_ab: false
active slave mac: 00:16:3e:aa:bb:01(eth0)

slave eth0: enabled
\tactive slave
\tmay_enable: true

slave eth1: disabled
\tmay_enable: false
"""

# OVS 2.14 and later say "member".
BOND_SHOW_AB = """\
---- bond1 ----
bond_mode: active-backup
updelay: 0 ms
downdelay: 0 ms
lacp_status: off
lacp_fallback_ab: false
active-backup primary: <none>
active member mac: 00:16:3e:aa:bb:02(eth3)

member eth2: enabled
  may_enable: true

member eth3: enabled
  active member
  may_enable: true
"""


def test_bond_show_lacp() -> None:
    bond = parse_bond_show("bond0", BOND_SHOW_LACP)
    assert (bond.mode, bond.lacp_status) == ("balance-slb", "negotiated")
    assert bond.members["eth0"].active and bond.members["eth0"].enabled
    assert bond.disabled == ["eth1"]


def test_bond_show_active_backup_with_members() -> None:
    bond = parse_bond_show("bond1", BOND_SHOW_AB)
    assert (bond.mode, bond.lacp_status, bond.disabled) == ("active-backup", "off", [])
    assert [m.name for m in bond.members.values() if m.active] == ["eth3"]


def test_bond_show_of_no_bond_has_no_members() -> None:
    assert parse_bond_show("bond0", "").members == {}


def test_expected_bond_state_follows_the_inventory() -> None:
    assert expected_bond_state("lacp", "src_mac") == ("balance-slb", "negotiated")
    assert expected_bond_state("lacp", "tcpudp_ports") == ("balance-tcp", "negotiated")
    assert expected_bond_state("active-backup", "src_mac") == ("active-backup", "off")


def test_ip_addr() -> None:
    text = (
        '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"operstate":"UNKNOWN",'
        '"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},'
        '{"ifindex":7,"ifname":"xapi1","flags":["BROADCAST","UP"],"mtu":9000,"operstate":"UP",'
        '"addr_info":[{"family":"inet","local":"198.18.20.11","prefixlen":24}]},'
        '{"ifindex":8,"ifname":"eth1","flags":["BROADCAST"],"mtu":1500,"operstate":"DOWN","addr_info":[]}]'
    )
    interfaces = parse_ip_addr(text)
    assert interfaces["xapi1"].mtu == 9000 and interfaces["xapi1"].addresses == ("198.18.20.11",)
    assert interfaces["lo"].up and not interfaces["eth1"].up


def test_iscsi_sessions() -> None:
    text = (
        "tcp: [1] 198.18.20.10:3260,1 iqn.2006-01.com.openfiler:tsn.shared (non-flash)\n"
        "tcp: [3] [fd00::10]:3260,1 iqn.2006-01.com.openfiler:tsn.heartbeat (non-flash)\n"
    )
    sessions = parse_iscsi_sessions(text)
    assert [(s.sid, s.portal, s.port, s.target) for s in sessions] == [
        (1, "198.18.20.10", 3260, "iqn.2006-01.com.openfiler:tsn.shared"),
        (3, "fd00::10", 3260, "iqn.2006-01.com.openfiler:tsn.heartbeat"),
    ]
