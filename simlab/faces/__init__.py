"""The twin's faces: each one serves a protocol as a view of the one model.

A face module exposes ``make(twin) -> Face | None`` (None when the inventory
has nothing for it to serve). ``FACES`` is the order they start in; they stop in
reverse order.
"""

FACES = [
    "simlab.faces.xapi",  # XenAPI XML-RPC over HTTPS, one endpoint per host
    "simlab.faces.ios",  # Cisco IOS CLI over SSH, one endpoint per switch stack
    "simlab.faces.dom0",  # dom0 shell over SSH, one endpoint per host
    "simlab.faces.dataplane",  # network namespaces, veths and bridges (needs root)
    "simlab.faces.storage",  # the iSCSI target in the storage namespace, hosts' sessions (needs the data plane)
    "simlab.faces.bmc",  # one IPMI BMC per host (pyghmi), on its BMC address
    "simlab.faces.ha",  # xhad heartbeats between the host namespaces, and the failover (needs the data plane)
]
