"""Each dom0 holds a logged-in iSCSI session to every target its SRs use."""

from xenlab.dom0 import Dom0


def test_iscsi_session(dom0s: dict, host_target: tuple[str, str]) -> None:
    host, iqn = host_target
    dom0 = dom0s[host]
    assert isinstance(dom0, Dom0), dom0
    sessions = [s for s in dom0.iscsi_sessions if s.target == iqn]
    assert sessions, f"{host}: no iSCSI session to {iqn}"
    assert any(s.logged_in for s in sessions), (
        f"{host}: iSCSI session to {iqn} is {sessions[0].state}, expected LOGGED_IN"
    )
