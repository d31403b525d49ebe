"""dom0's ``iscsiadm -m session [-P 1]`` and ``-m node``, from the sessions the host really holds.

A session is there while a PBD of an iSCSI SR is plugged on the host: with the storage face up it is
the real session (``pbd.session``) and its state (LOGGED_IN, or FAILED while the path or the target
is gone, as open-iscsi shows it until recovery); without it, the plugged PBD. Node records are the
targets of every iSCSI PBD of the host, plugged or not (xapi leaves them behind).
"""

from __future__ import annotations

from dataclasses import dataclass

from simlab.model.lab import Lab
from simlab.model.objects import Host

NO_SESSIONS_RC = 21  # ISCSI_ERR_NO_OBJS_FOUND


@dataclass(frozen=True)
class SessionRow:
    sid: int
    portal: str  # 198.18.20.10:3260
    iqn: str
    state: str  # LOGGED_IN | FAILED
    initiator: str
    address: str  # the host's own address on the storage network


def _pbds(lab: Lab, host: Host):  # -> list[(SR, PBD)]
    return [(sr, p) for sr in lab.srs.values() if sr.is_iscsi for p in sr.pbds if p.host == host.name]


def sessions(lab: Lab, host: Host) -> list[SessionRow]:
    """Call with ``lab.lock`` held."""
    rows, storage_net = [], lab.storage.network if lab.storage else None
    for sid, (sr, pbd) in enumerate(_pbds(lab, host), start=1):
        if not pbd.attached:
            continue
        if lab.iscsi is not None:
            if pbd.session is None or pbd.session.state == "FREE":
                continue
            state = pbd.session.state
        else:
            state = "LOGGED_IN"
        portal = f"{pbd.device_config.get('target', sr.target)}:{pbd.device_config.get('port', '3260')}"
        rows.append(
            SessionRow(
                sid,
                portal,
                pbd.device_config.get("targetIQN", sr.iqn or ""),
                state,
                host.iscsi_iqn,
                host.net_addresses.get(storage_net or "", "default"),
            )
        )
    return rows


def _detail(row: SessionRow) -> str:
    connection, internal = ("LOGGED IN", "NO CHANGE") if row.state == "LOGGED_IN" else ("TRANSPORT WAIT", "REOPEN")
    return (
        f"Target: {row.iqn} (non-flash)\n"
        f"\tCurrent Portal: {row.portal},1\n"
        f"\tPersistent Portal: {row.portal},1\n"
        "\t\t**********\n\t\tInterface:\n\t\t**********\n"
        "\t\tIface Name: default\n\t\tIface Transport: tcp\n"
        f"\t\tIface Initiatorname: {row.initiator}\n"
        f"\t\tIface IPaddress: {row.address}\n"
        "\t\tIface HWaddress: default\n\t\tIface Netdev: default\n"
        f"\t\tSID: {row.sid}\n"
        f"\t\tiSCSI Connection State: {connection}\n"
        f"\t\tiSCSI Session State: {row.state}\n"
        f"\t\tInternal iscsid Session State: {internal}\n"
    )


def run(lab: Lab, host: Host, args: list[str]) -> tuple[int, str, str]:
    """Call with ``lab.lock`` held."""
    words = [a for a in args if a not in ("--print", "-P") and not a.isdigit()]
    level = args[args.index("-P") + 1] if "-P" in args and args.index("-P") + 1 < len(args) else "0"
    mode = words[words.index("-m") + 1] if "-m" in words and words.index("-m") + 1 < len(words) else ""
    if mode == "session":
        rows = sessions(lab, host)
        if not rows:
            return NO_SESSIONS_RC, "", "iscsiadm: No active sessions.\n"
        if level == "0":
            return 0, "".join(f"tcp: [{r.sid}] {r.portal},1 {r.iqn} (non-flash)\n" for r in rows), ""
        return 0, "".join(_detail(r) for r in rows), ""
    if mode == "node":
        nodes = sorted(
            {
                (
                    f"{p.device_config.get('target', sr.target)}:{p.device_config.get('port', '3260')}",
                    p.device_config.get("targetIQN", sr.iqn or ""),
                )
                for sr, p in _pbds(lab, host)
            }
        )
        if not nodes:
            return NO_SESSIONS_RC, "", "iscsiadm: No records found\n"
        return 0, "".join(f"{portal},1 {iqn}\n" for portal, iqn in nodes), ""
    return 7, "", "iscsiadm: simlab answers `iscsiadm -m session [-P 1]` and `iscsiadm -m node`\n"
