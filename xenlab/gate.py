"""The pre-change gate: "nothing that passed before fails now, and nothing changed that should not have".

``xenlab gate snapshot NAME`` runs the non-destructive checks and keeps their outcomes and the lab's facts in
``reports/baselines/NAME/``. ``xenlab gate check NAME`` runs them again (same selection) and compares. A
regression is a check that passed and now fails (or errors), a check that disappeared, or a fact that changed
outside the volatile list (``xenlab.snapshot.VOLATILE``). A waived failure is not a regression. The comparison is
printed as a table, written as JSON (``reports/gate/NAME-diff.json``) and attached, with the table, to the run's
Allure report as the check "pre-change gate vs NAME".

Exit status: 0 no regression, 1 regressions, 2 the gate could not judge (no baseline, the run did not finish,
facts could not be read).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from xenlab.acceptance import NO_TESTS, Outputs, Selection, project_dir, pytest_command, render, run_pytest, shown
from xenlab.allure_results import write_result
from xenlab.inventory import redact
from xenlab.junit import ERROR, FAILED, PASSED, WAIVED, read_outcomes
from xenlab.snapshot import diff, load, save

OK, REGRESSED, CANNOT_JUDGE = 0, 1, 2
BROKEN = (FAILED, ERROR)


@dataclass(frozen=True)
class Finding:
    regression: bool
    kind: str  # check | fact
    subject: str  # the check id or the fact's path
    before: str
    after: str
    detail: str = ""

    @property
    def verdict(self) -> str:
        return "REGRESSION" if self.regression else {"check": "changed", "fact": "changed"}[self.kind]


def baseline_dir(outputs: Outputs, name: str) -> Path:
    return outputs.folder / "baselines" / name


def _run(selection: Selection, outputs: Outputs, facts: Path) -> tuple[int, dict[str, dict[str, str]]]:
    outputs.clear()
    rc = run_pytest(pytest_command(selection, "checks", outputs, f"--save-facts={facts}"))
    junit = outputs.phase_junit("checks")
    if rc not in (0, 1, NO_TESTS) or not junit.is_file():
        return rc, {}
    outcomes = read_outcomes(junit, project_dir())
    return rc, {c: {"status": o.status, "message": redact(o.message)} for c, o in sorted(outcomes.items())}


def snapshot(name: str, args: list[str], outputs: Outputs) -> int:
    where = baseline_dir(outputs, name)
    selection = Selection.parse(args)
    facts = outputs.folder / "gate" / "facts.json"
    rc, outcomes = _run(selection, outputs, facts)
    if not outcomes or not facts.is_file():
        print(f"xenlab gate: the run did not finish (pytest exit {rc}); baseline {name} not saved", file=sys.stderr)
        return CANNOT_JUDGE
    where.mkdir(parents=True, exist_ok=True)
    (where / "facts.json").write_text(facts.read_text())
    save(
        {"name": name, "taken_at": datetime.now(UTC).isoformat(timespec="seconds"), "args": args, "checks": outcomes},
        where / "outcomes.json",
    )
    render(outputs)
    counts = _counts(outcomes)
    print(
        f"xenlab gate: baseline {name} saved to {shown(where)}/ ({counts}); the next `xenlab gate check {name}` "
        "compares against it"
    )
    return OK


def _counts(outcomes: dict[str, dict[str, str]]) -> str:
    statuses = [o["status"] for o in outcomes.values()]
    return ", ".join(
        f"{statuses.count(s)} {s}" for s in (PASSED, FAILED, ERROR, WAIVED, "skipped") if statuses.count(s)
    )


def compare(
    before: dict[str, dict[str, str]], after: dict[str, dict[str, str]], facts_before: dict, facts_after: dict
) -> list[Finding]:
    findings: list[Finding] = []
    for check in sorted(set(before) | set(after)):
        was = before.get(check, {}).get("status", "absent")
        now = after.get(check, {}).get("status", "absent")
        if was == now:
            continue
        message = after.get(check, {}).get("message", "")
        regression = (was == PASSED and now in BROKEN) or (now == "absent")
        findings.append(
            Finding(regression, "check", check, was, now, message if now != "absent" else "the check no longer runs")
        )
    for change in diff(facts_before, facts_after):
        findings.append(Finding(True, "fact", change.path, redact(repr(change.before)), redact(repr(change.after))))
    return findings


def table(name: str, taken_at: str, findings: list[Finding]) -> str:
    regressions = [f for f in findings if f.regression]
    rows = [
        (f.verdict, f.kind, f.subject, f"{f.before} -> {f.after}", f.detail)
        for f in sorted(findings, key=lambda f: (not f.regression, f.kind, f.subject))
    ]
    lines = [f"xenlab gate: now against baseline {name} (taken {taken_at})"]
    if rows:
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines += [
            ("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + f"  {r[4]}").rstrip() for r in rows
        ]
    lines.append(
        f"xenlab gate: {len(regressions)} regression(s)"
        if regressions
        else "xenlab gate: no regression" + (f" ({len(findings)} other change(s))" if findings else "")
    )
    return "\n".join(lines)


def check(name: str, args: list[str] | None, outputs: Outputs) -> int:
    where = baseline_dir(outputs, name)
    if not (where / "outcomes.json").is_file() or not (where / "facts.json").is_file():
        known = sorted(p.name for p in (outputs.folder / "baselines").glob("*")) or ["none"]
        print(
            f"xenlab gate: no baseline {name} in {shown(where.parent)}/ (baselines: {', '.join(known)}); "
            f"take one with `xenlab gate snapshot {name}`",
            file=sys.stderr,
        )
        return CANNOT_JUDGE
    baseline = load(where / "outcomes.json")
    selection = Selection.parse(baseline.get("args", []) if args is None else args)
    facts = outputs.folder / "gate" / "facts.json"
    rc, outcomes = _run(selection, outputs, facts)
    if not outcomes or not facts.is_file():
        print(f"xenlab gate: the run did not finish (pytest exit {rc}); nothing to compare", file=sys.stderr)
        return CANNOT_JUDGE
    findings = compare(baseline["checks"], outcomes, load(where / "facts.json"), load(facts))
    text = table(name, baseline.get("taken_at", "?"), findings)
    regressions = [f for f in findings if f.regression]
    report = {
        "baseline": name,
        "taken_at": baseline.get("taken_at"),
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "regressions": len(regressions),
        "findings": [asdict(f) for f in findings],
    }
    diff_file = outputs.folder / "gate" / f"{name}-diff.json"
    diff_file.write_text(json.dumps(report, indent=2))
    write_result(
        outputs.results,
        f"pre-change gate vs {name}",
        "failed" if regressions else "passed",
        f"{len(regressions)} regression(s) against baseline {name}: "
        + "; ".join(f"{f.subject}: {f.before} -> {f.after}" for f in regressions[:5])
        if regressions
        else "",
        full_name=f"xenlab.gate.{name}",
        attachments=[("gate table", text, "text"), (diff_file.name, json.dumps(report, indent=2), "json")],
        labels={"epic": "gate", "feature": f"baseline {name}", "severity": "blocker"},
    )
    render(outputs)
    print(text)
    print(f"xenlab gate: diff written to {shown(diff_file)}")
    return REGRESSED if regressions else OK
