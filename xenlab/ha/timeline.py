"""What happened during a failover, when: the events, as rows and a plot for ``xenlab.report``.

Rendering is ``xenlab.report``'s (``attach_timeline``, ``timeline_plot``), shared with XenMotion: this module
only records the events and lays them out, with each victim VM's pings (``xenlab.pinger``) as series.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from xenlab.pinger import PingReport
from xenlab.report import timeline_plot


@dataclass
class Event:
    at: float  # seconds since the timeline started
    what: str  # fenced, declared dead, restarted, first ping reply, host back, ...
    subject: str  # the host or VM
    detail: str = ""


@dataclass
class Timeline:
    title: str
    start: float = field(default_factory=time.monotonic)
    started_wall: float = field(default_factory=time.time)  # to place a pinger's echoes (wall clock) on it
    events: list[Event] = field(default_factory=list)

    def add(self, what: str, subject: str, detail: str = "", at: float | None = None) -> Event:
        event = Event(time.monotonic() - self.start if at is None else at, what, subject, detail)
        self.events.append(event)
        self.events.sort(key=lambda e: e.at)
        return event

    def first(self, what: str, subject: str | None = None) -> Event | None:
        return next((e for e in self.events if e.what == what and subject in (None, e.subject)), None)

    def offset(self, wall: float) -> float:
        return wall - self.started_wall

    def rows(self) -> list[dict[str, object]]:
        """One row per event, for ``xenlab.report.attach_timeline``."""
        return [
            {"t (s)": round(e.at, 1), "event": e.what, "object": e.subject, "detail": e.detail} for e in self.events
        ]

    def plot(self, t: float | None, pings: Mapping[str, PingReport]) -> bytes | None:
        """Each VM's ping round trips (lost echoes as crosses) with the events as marks; None without matplotlib."""
        series = {
            f"{vm} ping": [(round(self.offset(e.sent), 2), e.rtt_ms) for e in report.echoes]
            for vm, report in pings.items()
        }
        marks = {f"{e.subject} {e.what}": e.at for e in self.events}
        fenced = self.first("fenced")
        if fenced is not None and t:
            marks[f"fenced + T ({t:g} s)"] = fenced.at + t
        try:
            return timeline_plot(
                self.title, series, xlabel="seconds since the drill started", ylabel="round trip (ms)", marks=marks
            )
        except ImportError:
            return None
