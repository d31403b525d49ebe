"""What happened during a failover, when: a table and a plot for the report."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field


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
    events: list[Event] = field(default_factory=list)

    def add(self, what: str, subject: str, detail: str = "") -> Event:
        event = Event(time.monotonic() - self.start, what, subject, detail)
        self.events.append(event)
        return event

    def first(self, what: str, subject: str | None = None) -> Event | None:
        return next((e for e in self.events if e.what == what and subject in (None, e.subject)), None)

    def table(self) -> str:
        rows = [("t (s)", "event", "object", "detail")] + [
            (f"{e.at:7.1f}", e.what, e.subject, e.detail) for e in self.events
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([self.title, *lines])

    def png(self, t: float | None = None) -> bytes | None:
        """The timeline as a plot (one row per object); None without matplotlib."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return None
        subjects = list(dict.fromkeys(e.subject for e in self.events))
        fig, ax = plt.subplots(figsize=(10, 1.5 + 0.6 * len(subjects)))
        colours = {
            "fenced": "tab:red",
            "declared dead": "tab:orange",
            "restarted": "tab:blue",
            "first ping reply": "tab:green",
            "host back": "tab:purple",
        }
        shown: dict[int, int] = {}
        for event in self.events:
            y = subjects.index(event.subject)
            n = shown[y] = shown.get(y, -1) + 1  # stagger labels of events close together on one row
            ax.scatter(event.at, y, color=colours.get(event.what, "tab:gray"), zorder=3)
            ax.annotate(
                f"{event.what} {event.at:.1f}s",
                (event.at, y),
                textcoords="offset points",
                xytext=(4, 6 - 11 * (n % 3)),
                fontsize=8,
            )
        fenced = self.first("fenced")
        if fenced is not None and t:
            ax.axvline(fenced.at + t, linestyle="--", color="tab:gray", alpha=0.6)
            ax.annotate(f"fenced + T ({t:g}s)", (fenced.at + t, len(subjects) - 0.5), fontsize=8, color="tab:gray")
        ax.set_yticks(range(len(subjects)), subjects)
        ax.set_xlabel("seconds since the test started")
        ax.set_title(self.title)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=100)
        plt.close(fig)
        return out.getvalue()
