"""HA state the twin's xhad and xapi keep: what each host's daemon sees, and the pool's alerts.

Liveness is never set here by a fault: the daemons (``simlab.ha``) fill it from the heartbeats
that actually arrive, and the master's failover logic reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Timeouts:
    """xhad's timeouts derived from the HA timeout T, as xapi writes them into xhad.conf."""

    t: float

    @property
    def heartbeat_interval(self) -> float:
        return (self.t + 10) / 10

    @property
    def heartbeat_timeout(self) -> float:
        return self.t

    @property
    def statefile_timeout(self) -> float:
        return self.t

    @property
    def heartbeat_watchdog(self) -> float:
        return self.t

    @property
    def statefile_watchdog(self) -> float:
        return self.t + 15

    @property
    def boot_join(self) -> float:
        return self.t + 60


@dataclass
class DaemonView:
    """One host's xhad, as ``ha_query_liveset`` would report it."""

    state: str = "stopped"  # stopped | starting | online | fenced
    liveset: frozenset[str] = frozenset()  # host names
    network_peers: frozenset[str] = frozenset()  # hosts whose network heartbeats arrive
    sees_statefile: bool = False
    fenced_count: int = 0


@dataclass
class HaRuntime:
    daemons: dict[str, DaemonView] = field(default_factory=dict)
    # Events the twin's HA logged, for `simlab status` and the project's tests: (wall time, text).
    log: list[tuple[float, str]] = field(default_factory=list)
