"""The inventory: the whole lab described once, validated into typed models.

Field-level rules live here; rules that relate one part of the lab to another
(a port-channel's peer must be a host, a VM's host must exist, ...) live in
``crossref.py`` so each error can name its exact field path.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr
from pydantic import Strict as StrictTypes

from xenlab.ifname import parse_port
from xenlab.inventory.secrets import Secret

IFNAMSIZ = 15  # Linux interface names: at most 15 characters


def _port_short_name(name: str) -> str:
    return parse_port(name).short


def _ifname(name: str) -> str:
    if not name or len(name) > IFNAMSIZ:
        raise ValueError(f"interface name {name!r} has {len(name)} characters; Linux allows 1 to {IFNAMSIZ}")
    if name in (".", "..") or re.search(r"[/\s:]", name):
        raise ValueError(f"interface name {name!r} may not contain '/', ':' or spaces")
    return name


def _safe_name(what: str) -> AfterValidator:
    """A name used for files and kernel objects: no path separators, no '..', no spaces."""

    def check(name: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name) or ".." in name:
            raise ValueError(
                f"{what} {name!r} must be 1-64 letters, digits, '-', '_' or '.', "
                "start with a letter or digit, and not contain '..'"
            )
        return name

    return AfterValidator(check)


def _https_url(url: str) -> str:
    parsed = urlparse(url)
    try:
        parsed.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    if parsed.scheme != "https" or not parsed.hostname:
        raise ValueError(f"{url!r} is not an https URL such as https://192.0.2.11/")
    return url


# Types read strictly (a YAML `true` is not VLAN 1, "5" is not 5); addresses are parsed from strings.
Address = Annotated[IPv4Address, StrictTypes(False)]
Subnet = Annotated[IPv4Network, StrictTypes(False)]
AddressWithPrefix = Annotated[IPv4Interface, StrictTypes(False)]
IfName = Annotated[str, AfterValidator(_ifname)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Credentials(Strict):
    username: str
    password: Secret


class SwitchCredentials(Credentials):
    enable_secret: Secret | None = None


class Tls(Strict):
    verify: bool = True
    ca_file: str | None = None  # relative to the inventory file


class Lab(Strict):
    name: Annotated[str, _safe_name("lab name")]
    kind: Literal["real", "simulated"]
    description: str = ""


class Cpu(Strict):
    vendor: str = "GenuineIntel"
    model: str = "Intel(R) Xeon(R) CPU E5-2630 v3 @ 2.40GHz"
    count: int = Field(default=8, ge=1)


class Fence(Strict):
    method: Literal["switch-ports", "ipmi", "none"] = "switch-ports"
    address: Address | None = None  # the host's BMC (IPMI over LAN), required for ipmi
    port: int = Field(default=623, ge=1, le=65535)
    credentials: Credentials | None = None


class Host(Strict):
    name: str = Field(min_length=1)
    address: Address
    xapi_url: Annotated[str, AfterValidator(_https_url)] | None = None  # default https://<address>/
    ssh_port: int = Field(default=22, ge=1, le=65535)
    nics: list[IfName] = Field(default_factory=lambda: ["eth0", "eth1"], min_length=1)
    addresses: dict[str, Address] = Field(default_factory=dict)  # network name -> address
    # What the twin reports for this host; a real lab's own hardware is what the checks compare.
    cpu: Cpu = Cpu()
    memory_gib: float = Field(default=16, gt=0)
    fence: Fence = Fence()

    @property
    def url(self) -> str:
        return self.xapi_url or f"https://{self.address}/"


class Pool(Strict):
    name: str = Field(min_length=1)
    credentials: Credentials
    tls: Tls = Tls()
    hosts: list[Host] = Field(min_length=1)
    auto_poweron: bool = True
    memory_tolerance_pct: float = Field(default=5, ge=0, le=100)
    timeout_s: float = Field(default=10, gt=0)


class Network(Strict):
    name: str = Field(min_length=1)
    vlan: int = Field(ge=1, le=4094)
    mtu: int = Field(default=1500, ge=576, le=9216)
    purpose: Literal["management", "xenmotion", "storage", "data", "other"] = "other"
    subnet: Subnet | None = None
    gateway: Address | None = None


class Bond(Strict):
    mode: Literal["lacp", "balance-slb", "active-backup"] = "lacp"
    hashing: Literal["src_mac", "tcpudp_ports"] = "tcpudp_ports"  # LACP bonds only
    nics: list[IfName] = Field(min_length=1)
    device: IfName = "bond0"  # the bond's device in dom0 (its master PIF)

    @property
    def lacp(self) -> bool:
        return self.mode == "lacp"


class Dom0(Strict):
    """What every host's dom0 must run."""

    services: list[str] = Field(default_factory=lambda: ["xapi", "iscsid", "multipathd", "chronyd"])


class SR(Strict):
    name: str = Field(min_length=1)
    type: Literal["lvmoiscsi", "iso", "nfs", "lvm", "ext"]
    role: Literal["vms", "heartbeat", "iso", "other"] = "other"
    shared: bool = False
    content_type: str | None = None  # default: iso for an ISO library, user otherwise
    target: Address | None = None
    iqn: str | None = None
    lun: int | None = Field(default=None, ge=0)
    chap_user: str | None = None  # its PBDs must log in with CHAP as this user (password: storage.chap)
    location: str | None = None  # iso/nfs
    size_gib: float | None = Field(default=None, gt=0)
    # Pool hosts that must have a PBD of it, plugged; default every host when shared, the first otherwise.
    hosts: list[str] | None = None
    # Above this physical utilisation the SR is too full; default 80 for SRs that hold VM disks, none otherwise.
    max_utilisation_pct: float | None = Field(default=None, gt=0, le=100)

    @property
    def expected_content_type(self) -> str:
        return self.content_type if self.content_type is not None else "iso" if self.type == "iso" else "user"

    @property
    def utilisation_limit_pct(self) -> float | None:
        if self.max_utilisation_pct is not None:
            return self.max_utilisation_pct
        return 80.0 if self.role in ("vms", "other") and self.type != "iso" else None


class HA(Strict):
    enabled: bool = False
    failures_to_tolerate: int = Field(default=1, ge=0)
    heartbeat_sr: str | None = None
    # The HA timeout T (xhad's HeartbeatTimeout). xapi wants more than 10 s on a real lab; a twin may use
    # a few seconds so a failover test takes seconds, not minutes (crossref enforces the difference).
    timeout_s: int = Field(default=60, ge=1)
    restart_deadline_s: int = Field(default=180, ge=1)
    heartbeat_sr_min_mib: int = Field(default=356, ge=1)  # xapi's minimum for the statefile SR


class XenMotion(Strict):
    """What a live migration must show, and how the destructive suite measures it."""

    max_lost: int = Field(default=1, ge=0)  # replies lost at interval_s during one migration (the workshop: 1)
    interval_s: float = Field(default=1.0, gt=0)  # the interval the budget is judged at
    fine_interval_ms: int = Field(default=100, ge=10)  # the interval the outage is measured at
    deadline_s: float = Field(default=300, gt=0)  # a migration that takes longer fails
    # Disposable test VMs, when no inventory VM is marked `migrate`: clones of this template on the
    # pool's default SR, started on the first host, destroyed afterwards.
    template: str | None = None
    clones: int = Field(default=1, ge=0, le=16)
    clone_network: str | None = None  # default: the network with purpose "data"
    # The twin's stop-and-copy pause, drawn from this range (ms); a real lab's is what it is.
    simulated_downtime_ms: tuple[float, float] = (60.0, 210.0)


class VM(Strict):
    name: str = Field(min_length=1)
    host: str
    address: Address | None = None
    network: str | None = None
    memory_mib: int = Field(default=1024, ge=64)
    restart_priority: Literal["restart", "best-effort", ""] = ""
    order: int = Field(default=0, ge=0)
    start_delay: int = Field(default=0, ge=0)
    auto_poweron: bool = True
    migrate: bool = False


class SwitchVlan(Strict):
    id: int = Field(ge=1, le=4094)
    name: str = Field(min_length=1, max_length=32)
    svi: AddressWithPrefix | None = None


class PortChannel(Strict):
    id: int = Field(ge=1, le=128)
    description: str = ""
    peer: str  # a pool host or the storage server
    members: list[Annotated[str, AfterValidator(_port_short_name)]] = Field(min_length=1)
    mode: Literal["active", "passive", "on"] = "active"
    allowed_vlans: list[int] = Field(min_length=1)
    native_vlan: int = Field(default=1, ge=1, le=4094)
    # Members on at least two stack members, so losing one switch keeps the peer connected.
    # Unset: required when the switch is a stack (lists more than one member).
    spans_stack: bool | None = None

    @property
    def name(self) -> str:
        return f"Po{self.id}"

    @property
    def lacp(self) -> bool:
        """LACP (mode active or passive), not a static channel (mode on)."""
        return self.mode != "on"


class Switch(Strict):
    name: str = Field(min_length=1)
    platform: Literal["cisco_ios", "cisco_xe"] = "cisco_ios"
    model: str = "WS-C3650-24TS"
    hostname: str | None = None  # the prompt; defaults to name
    address: Address
    port: int = Field(default=22, ge=1, le=65535)
    credentials: SwitchCredentials
    members: list[int] = Field(min_length=1)
    system_mtu: int = Field(default=1500, ge=1500, le=9216)
    load_balance: str = "src-mac"
    vlans: list[SwitchVlan] = Field(min_length=1)
    port_channels: list[PortChannel] = Field(default_factory=list)
    ports_per_member: int = Field(default=24, ge=1, le=52)
    startup_config: str | None = None  # an IOS config file, relative to the inventory
    timeout_s: float = Field(default=15, gt=0)

    @property
    def prompt(self) -> str:
        return self.hostname or self.name

    def must_span_stack(self, pc: PortChannel) -> bool:
        return pc.spans_stack if pc.spans_stack is not None else len(self.members) > 1


class Lun(Strict):
    id: int = Field(ge=0)
    size_gib: float = Field(gt=0)


class Target(Strict):
    iqn: str = Field(pattern=r"^iqn\.\d{4}-\d{2}\.[^:\s]+(:\S+)?$")
    luns: list[Lun] = Field(min_length=1)


class Storage(Strict):
    name: str = Field(min_length=1)
    portal: Address
    mtu: int = Field(default=1500, ge=576, le=9216)
    network: str
    addresses: dict[str, Address] = Field(default_factory=dict)
    nics: list[IfName] = Field(default_factory=lambda: ["eth0", "eth1"])
    chap: Credentials | None = None
    targets: list[Target] = Field(default_factory=list)


class ProbeInterface(Strict):
    network: str
    interface: IfName
    address: Address


class Probe(Strict):
    # Where the runner's probe interfaces live, if not the root namespace.
    netns: Annotated[str, _safe_name("namespace name")] | None = None
    interfaces: list[ProbeInterface] = Field(default_factory=list)

    def source(self, network: str | None) -> str | None:
        """The runner's own address on ``network``, so echoes to it leave by that interface; None: the kernel's
        choice."""
        return next((str(p.address) for p in self.interfaces if p.network == network), None)


class Inventory(Strict):
    lab: Lab
    pool: Pool
    networks: list[Network] = Field(min_length=1)
    bond: Bond
    dom0: Dom0 = Dom0()
    srs: list[SR] = Field(default_factory=list)
    ha: HA = HA()
    vms: list[VM] = Field(default_factory=list)
    xenmotion: XenMotion = XenMotion()
    switches: list[Switch] = Field(default_factory=list)
    storage: Storage | None = None
    probe: Probe = Probe()
    # An OpenSSH known_hosts file (relative to the inventory) pinning the dom0 and switch host keys:
    # when set, an unknown or changed key is refused; when not, it is logged and accepted.
    ssh_known_hosts: str | None = None

    # Set by the loader: where the inventory came from, for relative paths and messages.
    _source: str = PrivateAttr(default="<memory>")

    @property
    def source(self) -> str:
        return self._source

    def host(self, name: str) -> Host:
        return next(h for h in self.pool.hosts if h.name == name)

    def network(self, name: str) -> Network:
        return next(n for n in self.networks if n.name == name)

    def network_by_purpose(self, purpose: str) -> Network | None:
        return next((n for n in self.networks if n.purpose == purpose), None)

    def sr(self, name: str) -> SR:
        return next(s for s in self.srs if s.name == name)

    def sr_hosts(self, sr: SR) -> list[str]:
        """The pool hosts that must have the SR plugged."""
        if sr.hosts is not None:
            return list(sr.hosts)
        return [h.name for h in self.pool.hosts] if sr.shared else [self.pool.hosts[0].name]
