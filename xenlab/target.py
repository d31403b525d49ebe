"""What the runner sees of the iSCSI storage from its probe on the storage network, collected once.

The portal's TCP answer, a SendTargets discovery, and per target a CHAP login with the inventory's
credentials that lists the LUNs (REPORT LUNS, READ CAPACITY each) and logs out again. Every failure
is kept as the one line the target gave, so a check can say which target refused and why.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from xenlab import iscsi
from xenlab.inventory.schema import Inventory

PROBE_INITIATOR = "iqn.2024-01.org.xenlab:probe"


@dataclass(frozen=True)
class TargetLogin:
    iqn: str
    error: str | None  # None: logged in
    kind: str | None  # auth | no-target | unreachable | login | io
    luns: dict[int, int] = field(default_factory=dict)  # LUN id -> size in bytes


@dataclass(frozen=True)
class StorageView:
    portal: str
    portal_error: str | None  # None: the portal accepted a TCP connection
    discovered: tuple[str, ...]
    discovery_error: str | None
    logins: dict[str, TargetLogin]


def survey(inventory: Inventory, timeout: float = iscsi.DEFAULT_TIMEOUT_S) -> StorageView:
    st = inventory.storage
    assert st is not None
    ns, portal = inventory.probe.netns, f"{st.portal}:{iscsi.ISCSI_PORT}"
    portal_error = discovery_error = None
    discovered: list[str] = []
    try:
        iscsi.check_portal(portal, ns, timeout)
    except iscsi.IscsiError as exc:
        portal_error = str(exc)
    try:
        discovered = iscsi.discover(portal, PROBE_INITIATOR, ns, timeout)
    except iscsi.IscsiError as exc:
        discovery_error = str(exc)
    chap = iscsi.Chap(st.chap.username, st.chap.password.reveal()) if st.chap else None
    logins = {}
    for target in st.targets:
        try:
            session = iscsi.Session(portal, target.iqn, None, PROBE_INITIATOR, chap, ns, timeout)
        except iscsi.IscsiError as exc:
            logins[target.iqn] = TargetLogin(target.iqn, str(exc), exc.kind)
            continue
        try:
            logins[target.iqn] = TargetLogin(target.iqn, None, None, session.report_luns())
        except iscsi.IscsiError as exc:
            logins[target.iqn] = TargetLogin(target.iqn, str(exc), exc.kind)
        finally:
            with contextlib.suppress(iscsi.IscsiError):
                session.logout()
    return StorageView(portal, portal_error, tuple(discovered), discovery_error, logins)
