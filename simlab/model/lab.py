"""The one model of the lab that every face of the twin views."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simlab.model.ha import HaRuntime
from simlab.model.objects import SR, VBD, VDI, VM, Cable, Host, Message, Network, Pool, Probe, StorageServer, Task
from simlab.model.switch import SwitchStack


class Clock:
    """Time the twin's behaviour waits on; ``scale`` > 1 runs HA timers faster than wall time."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._start = time.monotonic()

    def now(self) -> float:
        """Seconds of lab time since the twin started."""
        return (time.monotonic() - self._start) * self.scale

    def wall(self) -> float:
        return time.time()


@dataclass
class Lab:
    name: str
    pool: Pool
    hosts: dict[str, Host]
    networks: dict[str, Network]
    switches: dict[str, SwitchStack]
    cables: list[Cable]
    srs: dict[str, SR]
    vms: dict[str, VM]
    storage: StorageServer | None
    probe: Probe
    clock: Clock = field(default_factory=Clock)
    # Calls per face and object class, read by benchmarks: "xapi.call", "ssh.login.cisco-stack", ...
    counters: Counter[str] = field(default_factory=Counter)
    lock: threading.RLock = field(default_factory=threading.RLock)
    generation: int = 0
    # XenAPI RW fields set by a client that the twin gives no behaviour (name_description, tags, ...): by ref.
    xapi_fields: dict[str, dict[str, object]] = field(default_factory=dict)
    # xapi tasks by uuid (simlab.model.tasks)
    tasks: dict[str, Task] = field(default_factory=dict)
    # Live migration: the stop-and-copy downtime range, and how memory crosses the XenMotion network
    # (the data plane installs a real copier; None: modelled, simlab.model.migration).
    migration_downtime_ms: tuple[float, float] = (60.0, 210.0)
    memory_copier: Callable[..., None] | None = None  # a simlab.model.migration.MemoryCopier
    # Whether a running guest has brought its network up since it booted (its agent reports addresses only
    # then): the data plane, which plugs the guest's VIF in, installs it; None: up as the guest boots.
    guest_network: Callable[[VM], bool] | None = None
    # xapi messages (alerts) by uuid: simlab.model.messages.post adds one
    messages: dict[str, Message] = field(default_factory=dict)
    ha: HaRuntime = field(default_factory=HaRuntime)
    _listeners: list[Callable[[Lab], None]] = field(default_factory=list)
    # Real iSCSI logins for PBD.plug: set by the storage face while it runs (simlab.storage.fabric.Fabric);
    # without it (no root) a plug only changes the model.
    iscsi: Any = None
    # xapi's secret objects by uuid (inventory Secrets): the CHAP passwords PBDs log in with.
    secrets: dict[str, Any] = field(default_factory=dict)
    # The faults now active (simlab.faults.registry.ActiveFaults), attached by build_lab: the model
    # never imports the faults that change it.
    faults: Any = field(default=None, repr=False, compare=False)

    # -- change notification: the data plane and event.from follow the model -----------------
    def subscribe(self, listener: Callable[[Lab], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        """Call after any mutation (with the lock held or not); listeners reconcile."""
        with self.lock:
            self.generation += 1
        for listener in list(self._listeners):
            listener(self)

    # -- lookups ---------------------------------------------------------------------------
    def pool_hosts(self) -> list[Host]:
        return list(self.hosts.values())

    def master(self) -> Host | None:
        return self.hosts.get(self.pool.master) if self.pool.master else None

    def host_by_address(self, address: str) -> Host | None:
        return next((h for h in self.hosts.values() if h.address == address), None)

    def cables_of(self, server: str) -> list[Cable]:
        return [c for c in self.cables if c.server == server]

    def cable_at(self, switch: str, port: str) -> Cable | None:
        return next((c for c in self.cables if c.switch == switch and c.port == port), None)

    def server_powered(self, name: str) -> bool:
        if name in self.hosts:
            return self.hosts[name].powered
        return self.storage is not None and self.storage.name == name and self.storage.powered

    def server_nic(self, name: str, device: str):  # -> Nic | None
        if name in self.hosts:
            return self.hosts[name].nics.get(device)
        if self.storage is not None and self.storage.name == name:
            return self.storage.nics.get(device)
        return None

    def guest_network_up(self, vm: VM) -> bool:
        return vm.power_state == "Running" and (self.guest_network is None or self.guest_network(vm))

    # -- storage ---------------------------------------------------------------------------------
    def sr_of_vdi(self, vdi_uuid: str) -> SR | None:
        """VDI.SR."""
        return next((sr for sr in self.srs.values() for v in sr.vdis if v.uuid == vdi_uuid), None)

    def vdi(self, vdi_uuid: str) -> VDI | None:
        return next((v for sr in self.srs.values() for v in sr.vdis if v.uuid == vdi_uuid), None)

    def vbds_of_vdi(self, vdi_uuid: str) -> list[tuple[VM, VBD]]:
        """VDI.VBDs, with the VM of each."""
        return [(vm, vbd) for vm in self.vms.values() for vbd in vm.vbds if vbd.vdi == vdi_uuid]

    def ha_statefiles(self) -> list[VDI]:
        """pool.ha_statefiles: the statefile VDIs on the heartbeat SR while HA is enabled."""
        sr = self.srs.get(self.pool.ha_heartbeat_sr or "") if self.pool.ha_enabled else None
        return [v for v in sr.vdis if v.type == "ha_statefile"] if sr else []
