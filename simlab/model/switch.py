"""A Catalyst stack's state: its running configuration, structured, plus hardware state.

The running configuration is what the IOS CLI edits and what ``show running-config``
renders; ``simlab.ios`` parses startup-config text into it. Operational state
(bundling, line protocol) is derived in ``simlab.model.links``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VLANS: frozenset[int] = frozenset(range(1, 4095))


@dataclass
class StackMember:
    number: int
    role: str  # Active | Standby | Member
    mac: str
    priority: int
    hw_version: str = "V05"
    state: str = "Ready"  # Ready | Removed | Provisioned | V-Mismatch | Initializing


@dataclass
class Vlan:
    id: int
    name: str
    mtu: int = 1500  # the VLAN database MTU column; jumbo frames follow system mtu
    state: str = "active"  # active | suspend; `shutdown` under the vlan gives act/lshut
    shutdown: bool = False


@dataclass
class Interface:
    """One interface's configuration, as ``interface X`` lines set it."""

    name: str  # long form: GigabitEthernet1/0/13, Port-channel1, Vlan5
    description: str = ""
    shutdown: bool = False
    switchport_mode: str | None = None  # None (dynamic auto) | access | trunk
    access_vlan: int = 1
    native_vlan: int = 1
    allowed_vlans: frozenset[int] = ALL_VLANS
    channel_group: int | None = None
    channel_mode: str | None = None  # active | passive | on
    channel_protocol: str | None = None  # lacp | pagp
    ip_address: str | None = None  # "198.18.5.254 255.255.255.0" for SVIs
    mtu: int | None = None
    extra: list[str] = field(default_factory=list)  # lines we keep and render but do not model

    def l2_signature(self) -> tuple[object, ...]:
        """The settings a member must share with its port-channel to be bundled."""
        return (self.switchport_mode, self.access_vlan, self.native_vlan, self.allowed_vlans)


@dataclass
class SwitchStack:
    name: str  # inventory name
    hostname: str  # prompt
    model: str
    address: str
    port: int
    username: str
    password_ref: str = field(repr=False)  # Secret reference; revealed by the SSH face only
    enable_ref: str | None = field(repr=False)
    members: dict[int, StackMember]
    ports_per_member: int
    system_mtu: int
    load_balance: str
    vlans: dict[int, Vlan]
    interfaces: dict[str, Interface]
    base_mac: str
    # Lines of the running config we keep verbatim (banner, line vty, ...), in order.
    other_lines: list[str] = field(default_factory=list)
    version: str = "16.12.4"

    def interface(self, name: str) -> Interface:
        """Get or create an interface by any IOS spelling of its name."""
        from xenlab.ifname import parse_port

        long = parse_port(name).long
        if long not in self.interfaces:
            self.interfaces[long] = Interface(long)
        return self.interfaces[long]

    def port_channel(self, group: int) -> Interface | None:
        return self.interfaces.get(f"Port-channel{group}")

    def members_of(self, group: int) -> list[Interface]:
        return [i for i in self.interfaces.values() if i.channel_group == group and not i.name.startswith("Port")]
