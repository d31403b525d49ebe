"""What a report says about the run: the lab, the tools, how failures are grouped, and timelines with plots."""

from __future__ import annotations

import csv
import io
import platform
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from xenlab.inventory import Inventory


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _relative(path: str) -> str:
    """The inventory as the user named it from the project folder, not this machine's absolute path."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return Path(path).name


def allure_environment(inventory: Inventory) -> dict[str, str]:
    return {
        "lab": inventory.lab.name,
        "lab.kind": inventory.lab.kind,
        "inventory": _relative(inventory.source),
        "pool": inventory.pool.name,
        "tls.verify": str(inventory.pool.tls.verify).lower(),
        "ssh.host_keys": "pinned" if inventory.ssh_known_hosts else "not pinned (unknown keys logged and accepted)",
        "hosts": ", ".join(h.name for h in inventory.pool.hosts),
        "switches": ", ".join(s.name for s in inventory.switches) or "none",
        "python": platform.python_version(),
        "xenlab": _version("xenlab"),
        "XenAPI": _version("XenAPI"),
        "netmiko": _version("netmiko"),
        "pytest-testinfra": _version("pytest-testinfra"),
        "scapy": _version("scapy"),
    }


# Category names, shared by the report and the tests that read it.
KNOWN_ISSUE = "Known issue (waived)"
LAB_UNREACHABLE = "Lab unreachable"
LAB_DEFECT = "Lab defect"
TEST_ERROR = "Test error"
# Regexes that mean the same in Allure 3 (JavaScript, searched) and Allure 2 (Java, matched whole).
UNREACHABLE_WORDS = r"(unreachable|did not answer|timed out|[Tt]imeout|cannot connect|login failed|refused|no route)"
ANY = r"[\s\S]*"


def allure_categories() -> list[dict[str, object]]:
    """Tell a broken lab from an unreachable one and from a broken run; waived failures stand apart."""
    return [
        {"name": KNOWN_ISSUE, "matchedStatuses": ["skipped"], "messageRegex": f"{ANY}[Ww]aived{ANY}"},
        {
            "name": LAB_UNREACHABLE,
            "matchedStatuses": ["failed", "broken"],
            "messageRegex": f"{ANY}{UNREACHABLE_WORDS}{ANY}",
        },
        {"name": LAB_DEFECT, "matchedStatuses": ["failed"]},
        {"name": TEST_ERROR, "matchedStatuses": ["broken"]},
        {"name": "Left out by choice (destructive, no packets)", "matchedStatuses": ["skipped"]},
    ]


# -- timelines and plots, for checks that watch the lab over time (HA failover, XenMotion) ----------------------

Row = Mapping[str, object]


def timeline_csv(rows: Sequence[Row]) -> str:
    """The rows as CSV, columns in first-seen order; Allure shows a CSV attachment as a table."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def timeline_plot(
    title: str,
    series: Mapping[str, Sequence[tuple[float, float | None]]],
    *,
    xlabel: str = "time (s)",
    ylabel: str = "",
    marks: Mapping[str, float] | None = None,
) -> bytes:
    """A PNG line plot: one line per series of (t, value) points; a value of None (a lost ping, a host
    that did not answer) is drawn as a red cross on the time axis; ``marks`` are labelled vertical lines
    (``{"xen1 cables pulled": 3.0}``)."""
    import matplotlib

    matplotlib.use("Agg")  # no screen on a CI runner
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    axes = figure.subplots()
    for name, points in series.items():
        axes.plot([t for t, v in points], [v for _, v in points], marker=".", label=name)
        lost = [t for t, v in points if v is None]
        if lost:
            axes.plot(lost, [0] * len(lost), "x", color="red", label=f"{name}: no answer ({len(lost)})")
    for label, at in (marks or {}).items():
        axes.axvline(at, color="grey", linestyle="--")
        axes.annotate(label, (at, 1), xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right", fontsize=8)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    axes.grid(alpha=0.3)
    if series:
        axes.legend(fontsize=8, loc="best")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def attach_timeline(title: str, rows: Sequence[Row], plot: bytes | None = None) -> None:
    """Attach a timeline to the running check's Allure result: a table, and a PNG plot if given.

    For checks that watch the lab over time (HA failover, XenMotion). Call it from the test, also when it is
    about to fail, so the evidence is there either way::

        from xenlab.report import attach_timeline, timeline_plot

        rows = [{"t (s)": 0.0, "event": "xen1 cables pulled"},
                {"t (s)": 41.5, "event": "vm01 running on xen2"}]          # one mapping per event
        png = timeline_plot("ping vm01 during XenMotion",
                            {"vm01 RTT": [(0.0, 0.4), (0.2, None), (0.4, 0.5)]},  # None: no reply
                            ylabel="RTT (ms)", marks={"migrate": 0.1})
        attach_timeline("XenMotion vm01 xen1 -> xen2", rows, plot=png)

    The table is named "<title> (timeline)" and shown by Allure as a table; the plot "<title> (plot)".
    Text passes through ``redact`` like all evidence. Outside an Allure run (no ``--alluredir``) it does nothing.
    """
    import allure

    from xenlab.inventory import redact

    allure.attach(redact(timeline_csv(rows)), name=f"{title} (timeline)", attachment_type=allure.attachment_type.CSV)
    if plot is not None:
        allure.attach(plot, name=f"{title} (plot)", attachment_type=allure.attachment_type.PNG)
