"""Faults of a host's own networking, as XenAPI shows it: bond mode, hashing and NICs, a network's VLAN.

A NIC down in dom0 and a host's MTU on a network are ``host-nic-down`` and ``host-mtu``
(simlab/faults/dataplane.py): the bond checks use those too.
"""

from __future__ import annotations

from simlab.faults import lookup
from simlab.faults.registry import FaultError, Undo, fault, set_attr
from simlab.model.lab import Lab

MODES = ("lacp", "balance-slb", "active-backup")
HASHINGS = ("src_mac", "tcpudp_ports")


def _choice(value: str, what: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise FaultError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _other(current: str, choices: tuple[str, ...]) -> str:
    return next(c for c in choices if c != current)


@fault(
    "bond-hashing",
    breaks="a host bond's hashing algorithm (Bond.properties hashing_algorithm)",
    example=lambda inv: [inv.pool.hosts[0].name, _other(inv.bond.hashing, HASHINGS)],
)
def bond_hashing(lab: Lab, host: str, hashing: str) -> Undo:
    return set_attr(lookup.host(lab, host).bond, "hashing", _choice(hashing, "hashing", HASHINGS))


@fault(
    "bond-mode",
    breaks="a host bond's mode (the switch then sees no LACP partner on that port-channel)",
    example=lambda inv: [inv.pool.hosts[0].name, _other(inv.bond.mode, MODES)],
)
def bond_mode(lab: Lab, host: str, mode: str) -> Undo:
    return set_attr(lookup.host(lab, host).bond, "mode", _choice(mode, "mode", MODES))


@fault(
    "bond-nics",
    breaks="a host bond built over other NICs than the inventory's (comma-separated list)",
    example=lambda inv: [inv.pool.hosts[0].name, inv.bond.nics[0]],
)
def bond_nics(lab: Lab, host: str, nics: str) -> Undo:
    target = lookup.host(lab, host)
    chosen = [n.strip() for n in nics.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in target.nics]
    if not chosen or unknown:
        raise FaultError(f"{host} has no NIC {', '.join(unknown) or repr(nics)} (NICs: {', '.join(target.nics)})")
    return set_attr(target.bond, "nics", chosen)


@fault(
    "network-vlan",
    breaks="a pool network's VLAN tag on every host (its VLAN PIFs); the switch is unchanged",
    example=lambda inv: [
        (inv.network_by_purpose("data") or inv.networks[-1]).name,
        str((inv.network_by_purpose("data") or inv.networks[-1]).vlan + 1),
    ],
)
def network_vlan(lab: Lab, network: str, vlan: str) -> Undo:
    if network not in lab.networks:
        raise FaultError(f"no network {network!r} (networks: {', '.join(lab.networks)})")
    try:
        tag = int(vlan)
    except ValueError:
        raise FaultError(f"VLAN must be a number, not {vlan!r}") from None
    if not 1 <= tag <= 4094:
        raise FaultError(f"VLAN must be between 1 and 4094, not {tag}")
    return set_attr(lab.networks[network], "vlan", tag)
