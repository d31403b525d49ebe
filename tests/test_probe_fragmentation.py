"""The jumbo checks cannot pass by fragmentation.

Set up the trap the notes warn about: the probe's own interface at 1500 and xen1's storage MTU
at 1500 (a real fault). A naive scapy check (``sr1`` at layer 3, ``conf.auto_fragment`` on by
default) splits the oversized DF echo, xen1 reassembles it and answers in fragments, and the
naive check sees a reply. xenlab's probe sends exactly one packet of the size asked or nothing.
"""

from __future__ import annotations

import sys

import pytest

from tests.dataplane_support import dataplane, in_netns, needs_root
from xenlab.probe import Probe

pytestmark = needs_root
LAB = "xlfrag"
XEN1_STORAGE = "198.18.20.11"

NAIVE = """
import sys
from scapy.all import ICMP, IP, Raw, conf, sr1
conf.auto_fragment = True  # scapy's default, spelled out
size = int(sys.argv[2])
reply = sr1(IP(dst=sys.argv[1], flags="DF") / ICMP() / Raw(b"x" * (size - 28)), timeout=2, verbose=0)
print("REPLY" if reply is not None else "NONE")
"""


@pytest.mark.parametrize("size", [9000, 9001], ids=["mtu", "mtu+1"])
def test_oversized_echo_is_never_fragmented(size: int) -> None:
    with dataplane(LAB) as (inventory, lab, plane):
        lab.faults.inject("host-mtu", ["xen1", "Storage", "1500"])
        assert plane.settle()
        probe_ns = inventory.probe.netns
        assert in_netns(probe_ns, "ip", "link", "set", "probe-stor", "mtu", "1500").returncode == 0

        naive = in_netns(probe_ns, sys.executable, "-c", NAIVE, XEN1_STORAGE, str(size), timeout=60)
        assert naive.stdout.strip() == "REPLY", f"the trap did not catch the naive check: {naive.stderr}"

        with Probe(inventory) as probe:
            echo = probe.echo(XEN1_STORAGE, size)
        assert not echo.reply, f"xenlab's probe got a reply to a {size}-byte DF echo: {echo.detail}"
        assert "cannot send" in echo.detail
