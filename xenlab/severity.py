"""How much a failed check matters: one table, first match wins, for every suite (also those still to come).

A rule is an fnmatch pattern against the check's id relative to ``suites/`` with its parameters dropped,
``network/test_port_channels.py::test_port_channel_bundled``, and the Allure severity it gets. What breaks
the workshop's promise outright (HA restarting VMs, a storage SR attached, LACP bundling) is a blocker;
what breaks a path under load (jumbo MTU, XenMotion, VLANs and trunks) is critical; hygiene is minor.
"""

from __future__ import annotations

import fnmatch

BLOCKER, CRITICAL, NORMAL, MINOR, TRIVIAL = "blocker", "critical", "normal", "minor", "trivial"
SEVERITIES = (BLOCKER, CRITICAL, NORMAL, MINOR, TRIVIAL)

RULES: tuple[tuple[str, str], ...] = (
    # HA: configuration and failover are the workshop's last promise.
    ("ha/*", BLOCKER),
    # Storage attachment: an SR that is not plugged on every host stops every VM on it.
    ("storage/*::*attach*", BLOCKER),
    ("storage/*::*plug*", BLOCKER),
    ("storage/*::*pbd*", BLOCKER),
    ("storage/*::*login*", BLOCKER),
    ("storage/*::*session*", BLOCKER),
    ("storage/*::*chap*", BLOCKER),
    ("storage/*", CRITICAL),
    # LACP, seen from the switch and from the host's bond.
    ("network/test_port_channels.py::*", BLOCKER),
    ("network/*::*lacp*", BLOCKER),
    ("pool/test_dom0.py::test_bond_state", BLOCKER),
    ("network/test_bonds.py::test_bond_*", BLOCKER),
    # MTU: jumbo frames end to end on the storage network.
    ("*mtu*", CRITICAL),
    ("*jumbo*", CRITICAL),
    ("*oversize*", CRITICAL),
    ("xenmotion/*", CRITICAL),
    ("network/test_trunks.py::*", CRITICAL),
    ("network/test_vlans.py::*", CRITICAL),
    ("network/test_stack.py::*", CRITICAL),
    ("pool/test_hosts.py::test_host_enabled", CRITICAL),
    ("pool/test_hosts.py::test_host_live", CRITICAL),
    ("pool/test_vms.py::test_vm_running", CRITICAL),
    ("pool/test_dom0.py::test_service_running", CRITICAL),
    ("*homogeneous*", MINOR),
    ("*auto_poweron*", MINOR),
    ("*pv_drivers*", MINOR),
)


def severity_of(check: str) -> str:
    """The severity of a check, by its id relative to ``suites/`` (parameters are ignored)."""
    bare = check.split("[", 1)[0]
    return next((severity for pattern, severity in RULES if fnmatch.fnmatchcase(bare, pattern)), NORMAL)
