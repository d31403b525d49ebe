"""Every iSCSI PBD logs in with CHAP: the inventory's user, and a secret that exists (never read)."""

from xenlab.inventory.schema import SR
from xenlab.xapi import XapiFacts


def test_pbd_uses_chap(xapi_facts: XapiFacts, iscsi_pbd: tuple[SR, str]) -> None:
    sr, host = iscsi_pbd
    found = xapi_facts.sr(sr.name)
    pbd = found.pbd_on(host) if found is not None else None
    assert pbd is not None, f"{sr.name}: SR has no PBD on {host}"
    assert pbd.chap_user == sr.chap_user, (
        f"{sr.name}: PBD on {host} logs in as CHAP user {pbd.chap_user or '(none)'}, expected {sr.chap_user}"
    )
    if sr.chap_user:
        assert pbd.chap_secret_uuid in xapi_facts.secret_uuids, (
            f"{sr.name}: PBD on {host} names no existing CHAP secret (device_config:chappassword_secret)"
        )
