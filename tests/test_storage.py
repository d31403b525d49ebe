"""The twin's iSCSI storage behaves like a real one: real logins, distinct refusals, real sessions and block I/O."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import XenAPI

from tests.harness import TwinHarness
from xenlab import iscsi
from xenlab.xapi import connect

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the iSCSI target runs with the data plane (root)")
SHARED = "iqn.2006-01.com.openfiler:tsn.shared"


@pytest.fixture
def api(twin: TwinHarness) -> Iterator[Any]:
    with connect(twin.inventory) as session:
        yield session.xenapi
    twin.lab.faults.heal()
    twin.twin.settle()


def _pbd(api: Any, sr_name: str, host: str) -> str:
    sr = api.SR.get_by_name_label(sr_name)[0]
    return next(p for p in api.SR.get_PBDs(sr) if api.host.get_name_label(api.PBD.get_host(p)) == host)


def _sessions(twin: TwinHarness, host: str) -> str:
    from simlab.faces.dom0.iscsiadm import run

    with twin.lab.lock:
        return run(twin.lab, twin.lab.hosts[host], ["-m", "session", "-P", "1"])[1]


def test_plugged_pbds_hold_real_sessions(twin: TwinHarness) -> None:
    pbds = [p for sr in twin.lab.srs.values() if sr.is_iscsi for p in sr.pbds]
    assert pbds and all(p.session is not None and p.session.logged_in for p in pbds)
    hb = twin.lab.srs["HeartBeat SR"]
    assert hb.physical_size == hb.pbds[0].session.capacity == 1024**3  # what the LUN reports


def test_wrong_chap_is_an_authentication_failure_and_replug_heals(api: Any, twin: TwinHarness) -> None:
    pbd = _pbd(api, "Shared iSCSI", "xen2")
    twin.lab.faults.inject("target-chap-changed", [])
    twin.twin.settle()
    assert "LOGGED_IN" in _sessions(twin, "xen2")  # a changed secret does not drop a session
    api.PBD.unplug(pbd)
    with pytest.raises(XenAPI.Failure) as refused:
        api.PBD.plug(pbd)
    code, _, description, reason = refused.value.details
    assert code == "SR_BACKEND_FAILURE_68" and "CHAP" in description
    assert "Authentication failure" in reason and SHARED in reason
    assert api.PBD.get_currently_attached(pbd) is False
    twin.lab.faults.heal()
    twin.twin.settle()
    api.PBD.plug(pbd)
    assert api.PBD.get_currently_attached(pbd) is True
    assert SHARED in _sessions(twin, "xen2")


def test_stopped_target_fails_sessions_and_plug_as_unreachable(api: Any, twin: TwinHarness) -> None:
    pbd = _pbd(api, "Shared iSCSI", "xen1")
    twin.lab.faults.inject("target-stopped", [])
    twin.twin.settle()
    assert "iSCSI Session State: FAILED" in _sessions(twin, "xen1")
    assert api.PBD.get_currently_attached(pbd) is True  # xapi keeps the PBD plugged; I/O fails underneath
    api.PBD.unplug(pbd)
    with pytest.raises(XenAPI.Failure) as refused:
        api.PBD.plug(pbd)
    assert refused.value.details[0] == "SR_BACKEND_FAILURE_141"
    twin.lab.faults.heal()
    twin.twin.settle()
    assert "iSCSI Session State: FAILED" not in _sessions(twin, "xen1")  # recovered by a new login
    api.PBD.plug(pbd)
    assert api.PBD.get_currently_attached(pbd) is True


def test_no_such_target_is_its_own_error(twin: TwinHarness) -> None:
    inv = twin.inventory
    with pytest.raises(iscsi.IscsiError) as refused:
        iscsi.login(
            str(inv.storage.portal),
            "iqn.2006-01.com.openfiler:tsn.nosuch",
            1,
            "iqn.2024-01.test:x",
            iscsi.Chap(inv.storage.chap.username, inv.storage.chap.password.reveal()),
            ns=inv.probe.netns,
        )
    assert refused.value.kind == "no-target"


def test_statefile_is_a_region_hosts_share_over_their_sessions(twin: TwinHarness) -> None:
    lab = twin.lab
    statefile = lab.ha_statefiles()[0]
    block = b"xen1 heartbeat".ljust(512, b"\0")
    lab.iscsi.device("xen1", statefile).write(512, block)
    assert lab.iscsi.device("xen2", statefile).read(512, 512) == block
    with pytest.raises(ValueError):
        lab.iscsi.device("xen1", statefile).read(statefile.region.size, 512)  # outside the VDI
    lab.faults.inject("target-stopped", [])
    twin.twin.settle()
    try:
        with pytest.raises(iscsi.IscsiError):
            lab.iscsi.device("xen1", statefile).write(0, block)
    finally:
        lab.faults.heal()
        twin.twin.settle()


def test_wrong_chap_password_for_the_suite_fails_the_login_check(twin: TwinHarness) -> None:
    outcome = twin.run_suite("suites/storage/test_target.py", [], env={"CHAP_PASSWORD": "not-the-targets"})
    logins = {k: v for k, v in outcome.failed.items() if "test_chap_login" in k}
    assert set(logins) == {f"test_target.py::test_chap_login[{t.iqn}]" for t in twin.inventory.storage.targets}
    for check, message in logins.items():
        assert message.startswith(check.split("[")[1].rstrip("]")) and "CHAP authentication failure" in message
