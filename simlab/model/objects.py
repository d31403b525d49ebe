"""The twin's model of the lab: plain objects every face reads and changes.

Faces (XenAPI, switch CLI, dom0 shell, data plane) hold no state of their own
about the lab: they render these objects and change them, under ``Lab.lock``.
Derived state (LACP bundling, carrier, links up, forwarding) is computed from
these objects by ``simlab.model.links``, never stored twice.
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from simlab.model.storage import PBD, SR, VBD, VDI, Lun, Region, Target

__all__ = [
    "PBD",
    "SR",
    "VBD",
    "VDI",
    "Bond",
    "Cable",
    "Host",
    "Lun",
    "Network",
    "Nic",
    "Pool",
    "Probe",
    "ProbePort",
    "Region",
    "StorageServer",
    "Target",
    "VM",
    "stable_uuid",
]

# Namespace for deterministic UUIDs: the same inventory gives the same UUIDs and
# refs on every start, so saved facts can be diffed across twin restarts.
_NS = uuidlib.UUID("6f1c3a52-7f0e-4a7e-9b0c-2d5b8e7a1c01")


def stable_uuid(*parts: object) -> str:
    return str(uuidlib.uuid5(_NS, "/".join(str(p) for p in parts)))


def stable_mac(*parts: object) -> str:
    """A locally administered MAC derived from names, stable across restarts."""
    digest = hashlib.sha1("/".join(map(str, parts)).encode()).digest()
    octets = [0x02, *digest[:5]]
    return ":".join(f"{o:02x}" for o in octets)


@dataclass
class Nic:
    device: str  # eth0
    mac: str
    admin_up: bool = True  # the host's own view: `ip link set ethX down` in dom0
    speed_mbit: int = 1000


@dataclass
class Bond:
    """A host's bond, as configured on the host (XenAPI Bond + OVS)."""

    mode: str  # lacp | balance-slb | active-backup
    hashing: str  # src_mac | tcpudp_ports
    nics: list[str]
    lacp_active: bool = True  # OVS runs LACP active unless set passive
    lacp_time: str = "slow"


DOM0_SERVICES = (
    "xapi",
    "xenopsd-xc",
    "xcp-rrdd",
    "xcp-networkd",
    "squeezed",
    "openvswitch",
    "sshd",
    "iscsid",
    "multipathd",
    "chronyd",
)


@dataclass
class Host:
    name: str
    uuid: str
    address: str  # management address: XenAPI and dom0 SSH answer here
    url: str
    ssh_port: int
    nics: dict[str, Nic]
    bond: Bond
    net_addresses: dict[str, str]  # network name -> data-plane address
    net_mtu: dict[str, int]  # network name -> the host's PIF MTU on it
    cpu_vendor: str
    cpu_model: str
    cpu_count: int
    memory_bytes: int
    in_inventory: bool = True
    powered: bool = True
    enabled: bool = True
    # host_metrics.live as xapi reports it; False also when the twin is told the host is not live.
    xapi_live: bool = True
    # With HA on, the master's view of the liveset: False once xhad declared the host dead.
    ha_live: bool = True
    bmc_address: str | None = None  # the host's BMC (IPMI), where the twin serves one
    bmc_port: int = 623
    # What a XenServer 7/8 dom0 runs, whatever the inventory expects: a check for a service the host
    # does not run (ntpd on a chronyd host) must fail here as it would on the real one.
    services: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(DOM0_SERVICES, True))
    fence_method: str = "switch-ports"
    # Memory held outside the pool's accounting of VMs (a stuck domain, memory not yet scrubbed).
    reserved_bytes: int = 0
    untagged_network: str | None = None  # carried untagged on the bond (the management network)
    iscsi_iqn: str = ""  # the initiator name its iSCSI sessions log in with (host.other_config:iscsi_iqn)
    # Tagged networks this host has no VLAN PIF for (created pool-wide, then destroyed on this host alone):
    # its traffic on them reaches no VLAN, and a VM on one of them cannot start or migrate here.
    missing_vlans: set[str] = field(default_factory=set)


@dataclass
class Cable:
    """A cable from a server NIC to a switch port; both ends are named."""

    server: str  # a host name or the storage server name
    nic: str
    switch: str
    port: str  # short name, Gi1/0/13
    connected: bool = True


@dataclass
class Network:
    name: str
    uuid: str
    vlan: int
    mtu: int
    purpose: str
    bridge: str
    subnet: str | None
    gateway: str | None


@dataclass
class VM:
    name: str
    uuid: str
    power_state: str  # Halted | Paused | Running | Suspended
    resident_on: str | None  # host name
    affinity: str | None
    memory_bytes: int
    network: str | None
    address: str | None
    mac: str
    ha_restart_priority: str = ""
    ha_always_run: bool = False  # protected (or best-effort) by HA; a clean shutdown clears it
    disk_locked: bool = False  # its disk stays locked by a dead host: a start fails
    order: int = 0
    start_delay: int = 0
    auto_poweron: bool = True
    pv_drivers: bool = True
    pv_drivers_version: tuple[int, int, int] = (7, 2, 0)
    os_version: str = "CentOS release 6.5 (Final)"
    is_template: bool = False
    domid: int = -1
    other_config: dict[str, str] = field(default_factory=dict)
    # The VIF (device 0 on ``network``): plugged into the host's virtual switch while attached.
    vif_attached: bool = True
    # Paused for the stop-and-copy phase of a live migration: its VIF is disconnected meanwhile.
    frozen: bool = False
    # Gratuitous ARPs the guest has sent (at boot, and on resume after a migration); the data
    # plane sends one real packet from the VM's namespace for each.
    announcements: int = 0
    # The guest's netfront announces itself after a migration (Linux does; a broken driver does not).
    announces_on_resume: bool = True
    start_time: float = 0.0  # wall clock of the last start, for VM_metrics
    # The guest acknowledges the suspend request of a migration's stop-and-copy (PV drivers do).
    acks_suspend: bool = True
    # The operation in progress ("pool_migrate"), as xapi's current_operations shows it.
    operation: str | None = None
    # A stop-and-copy time of its own (ms), for a guest dirtying memory faster than the link carries it.
    stop_and_copy_ms: float | None = None

    vbds: list[VBD] = field(default_factory=list)  # VM.VBDs


@dataclass
class StorageServer:
    name: str
    portal: str
    network: str
    mtu: int
    net_addresses: dict[str, str]
    nics: dict[str, Nic]
    targets: list[Target]
    chap_user: str | None
    bond: Bond
    untagged_network: str | None = None
    powered: bool = True
    chap_password: Any = None  # the target's CHAP secret (an inventory Secret): what logins must present
    target_running: bool = True  # tgtd serving; False when the target service is stopped


@dataclass
class Pool:
    name: str
    uuid: str
    master: str | None  # host name
    auto_poweron: bool
    ha_enabled: bool
    ha_timeout_s: int
    ha_failures_to_tolerate: int
    ha_heartbeat_sr: str | None
    default_sr: str | None
    ha_allow_overcommit: bool = False
    other_config: dict[str, str] = field(default_factory=dict)


@dataclass
class ProbePort:
    network: str
    interface: str
    address: str


@dataclass
class Probe:
    netns: str | None
    ports: list[ProbePort]


@dataclass(frozen=True)
class Message:
    """An xapi message (an alert for the administrator); simlab.model.messages keeps the store."""

    uuid: str
    name: str
    priority: int
    cls: str  # one of simlab.model.messages.CLASSES
    obj_uuid: str
    timestamp: float  # wall clock, seconds since the epoch
    body: str


@dataclass
class Task:
    """An xapi task (simlab.model.tasks runs them)."""

    uuid: str
    name: str  # the call, as xapi names it: "Async.VM.pool_migrate"
    host: str | None  # the host that runs it
    created: float
    status: str = "pending"  # pending | success | failure | cancelling | cancelled
    progress: float = 0.0
    result: str = ""
    error_info: list[str] = field(default_factory=list)
    finished: float = 0.0
    other_config: dict[str, str] = field(default_factory=dict)
