"""Names of everything the data plane creates, derived from the lab name.

Every namespace a twin owns starts with ``sl-<tag>-`` where the tag has no dash, so
``sl-workshop-`` never matches another lab's namespaces (``sl-workshop2-...``) and
leftovers of a crashed twin are found by prefix alone. Interfaces live inside those
namespaces (veth pairs are created straight into them), so their names only need to
be unique per namespace and at most 15 characters.
"""

from __future__ import annotations

import hashlib
import re

IFNAMSIZ = 15


def lab_tag(lab_name: str) -> str:
    """A short dash-free tag; a hash suffix keeps two names that clean up alike apart."""
    clean = re.sub(r"[^a-z0-9]", "", lab_name.lower())[:12]
    if clean != lab_name or not clean:
        clean = f"{clean[:8]}{_digest(lab_name)[:4]}"
    return clean


def _digest(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{slug[:24]}-{_digest(name)[:4]}" if slug != name.lower() or len(name) > 24 else slug


class Names:
    """Namespace and interface names for one lab."""

    def __init__(self, lab_name: str, probe_netns: str | None) -> None:
        self.prefix = f"sl-{lab_tag(lab_name)}-"
        self.probe_ns = probe_netns
        self.switch_ns = f"{self.prefix}switch"

    def host_ns(self, host: str) -> str:
        return f"{self.prefix}host-{_slug(host)}"

    def storage_ns(self, server: str) -> str:
        return f"{self.prefix}storage-{_slug(server)}"

    def vm_ns(self, vm: str) -> str:
        return f"{self.prefix}vm-{_slug(vm)}"

    def owns(self, netns: str) -> bool:
        return netns.startswith(self.prefix) or netns == self.probe_ns

    @staticmethod
    def bridge(vlan: int) -> str:
        return f"vlan{vlan}"

    @staticmethod
    def switch_end(kind: str, *key: object) -> str:
        """The switch-side end of a veth: a kind letter and a hash of what it connects."""
        return f"{kind}-{_digest(*key)[:10]}"

    @staticmethod
    def is_switch_end(ifname: str) -> bool:
        return re.fullmatch(r"[hnsvpu]-[0-9a-f]{10}", ifname) is not None

    @staticmethod
    def host_switch(host: str, network: str) -> str:
        """A host's virtual switch for VMs on ``network`` (its bridge, kept in the switch namespace)."""
        return f"x-{_digest(host, network)[:10]}"

    @staticmethod
    def is_host_switch(ifname: str) -> bool:
        return re.fullmatch(r"x-[0-9a-f]{10}", ifname) is not None

    @staticmethod
    def uplink_end(host: str, network: str) -> str:
        """The host switch's end of its uplink (the other end, ``u-...``, is on the VLAN's bridge)."""
        return f"w-{_digest(host, network)[:10]}"

    @staticmethod
    def storage_if(network_vlan: int, untagged: bool) -> str:
        return "bond0" if untagged else f"bond0.{network_vlan}"
