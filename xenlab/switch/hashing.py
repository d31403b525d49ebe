"""Which Catalyst ``port-channel load-balance`` methods match a XenServer bond's hashing."""

from __future__ import annotations

# XenServer hashes LACP bonds by source MAC (src_mac) or by TCP/UDP ports (tcpudp_ports); the
# switch should spread the return traffic the same way.
EQUIVALENT: dict[str, frozenset[str]] = {
    "src_mac": frozenset({"src-mac"}),
    "tcpudp_ports": frozenset({"src-dst-mixed-ip-port", "src-dst-port", "src-port", "dst-port"}),
}


def matching_methods(bond_hashing: str) -> frozenset[str]:
    return EQUIVALENT.get(bond_hashing, frozenset())
