"""pool.enable_ha and friends: HA's configuration as xapi changes it (xhad itself is the HA face)."""

from __future__ import annotations

from typing import Any

from simlab.faces.xapi.calls import Message
from simlab.faces.xapi.view import View
from simlab.faces.xapi.wire import XapiError, as_int, as_map, i
from simlab.ha.statefile import BLOCK, IscsiStatefile
from simlab.model import capacity
from simlab.model.build import add_ha_vdis
from simlab.model.objects import SR

# How long a joining xhad waits for its first statefile read before it gives up on the statefile.
JOIN_READ_TIMEOUT_S = 2.0


def _remove_ha_vdis(sr: SR) -> None:
    sr.vdis[:] = [v for v in sr.vdis if v.type not in ("ha_statefile", "metadata")]


def _join_statefile(view: View, sr: SR) -> None:
    """Each live host's xhad reads the statefile as it joins the liveset; one that cannot fails the enable
    (xapi: Mtc_exit_can_not_access_statefile -> HA_HOST_CANNOT_ACCESS_STATEFILE). With the storage face up
    the read is a real SCSI READ over the host's own session, bounded as xhad's are."""
    statefile = next(v for v in sr.vdis if v.type == "ha_statefile")
    fabric = view.lab.iscsi
    for host in [h for h in view.lab.hosts.values() if capacity.live(h)]:
        pbd = sr.pbd_of(host.name)
        if pbd is None or not pbd.attached:
            raise XapiError("HA_HOST_CANNOT_ACCESS_STATEFILE")
        if fabric is None:
            continue
        device = IscsiStatefile(host.name, lambda h=host.name: fabric.device(h, statefile), JOIN_READ_TIMEOUT_S)
        try:
            device.read(0, BLOCK)
        except OSError:
            raise XapiError("HA_HOST_CANNOT_ACCESS_STATEFILE") from None
        finally:
            device.close()


def pool_enable_ha(view: View, heartbeat_srs: Any, configuration: Any) -> str:
    pool = view.lab.pool
    if pool.ha_enabled:
        raise XapiError("HA_IS_ENABLED")
    config = as_map(configuration, "configuration")
    if not isinstance(heartbeat_srs, list) or not heartbeat_srs:
        raise XapiError("HA_NO_PLAN") if isinstance(heartbeat_srs, list) else XapiError("FIELD_TYPE_ERROR", "srs")
    sr = view.obj("SR", heartbeat_srs[0])
    if not sr.shared:
        raise XapiError("HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", heartbeat_srs[0])
    if sum(capacity.live(h) for h in view.lab.hosts.values()) < 2:
        raise XapiError("HA_TOO_FEW_HOSTS")
    add_ha_vdis(view.lab.name, sr)
    try:
        _join_statefile(view, sr)
    except XapiError:
        _remove_ha_vdis(sr)  # xapi cleans up what a failed enable created
        raise
    pool.ha_enabled, pool.ha_heartbeat_sr = True, sr.name
    pool.ha_timeout_s = as_int(config.get("timeout", pool.ha_timeout_s), "timeout")
    if pool.ha_failures_to_tolerate == 0:
        pool.ha_failures_to_tolerate = capacity.max_failures(view.lab)
    return ""


def pool_disable_ha(view: View) -> str:
    pool = view.lab.pool
    if not pool.ha_enabled:
        raise XapiError("HA_NOT_ENABLED")
    sr = view.lab.srs.get(pool.ha_heartbeat_sr or "")
    if sr is not None:
        _remove_ha_vdis(sr)
    pool.ha_enabled, pool.ha_heartbeat_sr = False, None
    return ""


def pool_set_failures(view: View, _pool_ref: str, value: Any) -> str:
    n = as_int(value, "value")
    if n < 0:
        raise XapiError("INVALID_VALUE", "ha_host_failures_to_tolerate", str(n))
    pool = view.lab.pool
    if pool.ha_enabled and not pool.ha_allow_overcommit and not capacity.plan_exists(view.lab, n):
        raise XapiError("HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN")
    pool.ha_failures_to_tolerate = n
    return ""


MESSAGES: dict[str, Message] = {
    "pool.enable_ha": Message(2, pool_enable_ha),
    "pool.disable_ha": Message(0, pool_disable_ha),
    "pool.set_ha_host_failures_to_tolerate": Message(2, pool_set_failures),
    "pool.ha_compute_max_host_failures_to_tolerate": Message(0, lambda v: i(capacity.max_failures(v.lab)), False),
    "pool.ha_failover_plan_exists": Message(1, lambda v, n: capacity.plan_exists(v.lab, as_int(n, "n")), False),
}
