"""``./run acceptance``: the whole lab in one command, in two phases, with one JUnit file and one report.

1. The non-destructive checks, in parallel (``-n auto --dist loadfile`` unless you pass ``-n``; ``-n 0`` runs
   them in this process, which is faster when the lab is a twin on the same two cores).
2. Only with ``--allow-destructive --lab-name NAME``: the destructive checks (HA failover, migration), in a
   serial session of their own, after phase 1 passed (a failover on a lab that already fails its checks proves
   nothing and can make things worse).

Outputs, old ones removed first so a stale report never looks fresh (``reports/history.jsonl`` and
``reports/baselines/`` are kept): ``reports/junit.xml`` (both phases; ``junit-checks.xml`` and
``junit-destructive.xml`` per phase), ``reports/allure-results/``, ``reports/allure-report/index.html``
(one file, with history and trends across runs from ``reports/history.jsonl``).
Exit status 0 only if every selected check passed or is waived.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xenlab.junit import merge

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS = 5
# pytest options that take a value: the value is not a test path even when it names a file.
VALUED = {
    "--inventory",
    "--waivers",
    "--lab-name",
    "-k",
    "-p",
    "-o",
    "-c",
    "--timeout",
    "--maxfail",
    "--deselect",
    "--junitxml",
    "--alluredir",
    "--rootdir",
    "--basetemp",
    "--tb",
    "--durations",
    "--dist",
    "--log-level",
}


@dataclass
class Outputs:
    """Where a run writes; everything under one folder (``reports/`` by default)."""

    folder: Path

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).absolute()  # pytest may run elsewhere; outputs stay where asked

    @property
    def results(self) -> Path:
        return self.folder / "allure-results"

    @property
    def report(self) -> Path:
        return self.folder / "allure-report"

    @property
    def junit(self) -> Path:
        return self.folder / "junit.xml"

    @property
    def history(self) -> Path:
        return self.folder / "history.jsonl"

    def phase_junit(self, phase: str) -> Path:
        return self.folder / f"junit-{phase}.xml"

    def clear(self) -> None:
        """Remove the last run's outputs (not the history or the gate's baselines)."""
        for path in (self.results, self.report, self.folder / "gate"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.folder.glob("junit*.xml"):
            path.unlink()
        self.folder.mkdir(parents=True, exist_ok=True)


@dataclass
class Selection:
    """What the user asked for: paths (default ``suites``), a marker expression, and the rest for pytest."""

    paths: list[str] = field(default_factory=lambda: ["suites"])
    marker: str | None = None
    workers: str | None = None
    rest: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, args: Sequence[str]) -> Selection:
        selection, paths, it = cls(), [], iter(args)
        for arg in it:
            if arg == "-m":
                selection.marker = next(it, None)
            elif arg.startswith("-m") and len(arg) > 2:
                selection.marker = arg[2:]
            elif arg in ("-n", "--numprocesses"):
                selection.workers = next(it, None)
            elif arg.startswith(("-n", "--numprocesses=")) and arg not in ("-n",):
                selection.workers = arg.split("=", 1)[1] if "=" in arg else arg[2:]
            elif arg in VALUED:
                selection.rest += [arg, next(it, "")]
            elif not arg.startswith("-") and Path(arg.split("::", 1)[0]).exists():
                paths.append(arg)  # the user's paths replace the default
            else:
                selection.rest.append(arg)
        selection.paths = paths or selection.paths
        return selection

    def marker_with(self, phase: str) -> str:
        return f"({self.marker}) and {phase}" if self.marker else phase


def pytest_command(selection: Selection, phase: str, outputs: Outputs, *extra: str) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *selection.paths,
        *selection.rest,
        f"--junitxml={outputs.phase_junit(phase)}",
        f"--alluredir={outputs.results}",
    ]
    if phase == "checks":
        # loadfile: a module's checks stay on one worker, so what a module collects is collected once.
        cmd += ["-m", selection.marker_with("not destructive"), "-n", selection.workers or "auto"]
        if selection.workers != "0" and not any(a.startswith("--dist") for a in selection.rest):
            cmd += ["--dist", "loadfile"]
    else:
        cmd += ["-m", selection.marker_with("destructive")]
    return [*cmd, *extra]


def shown(path: Path) -> str:
    """A path as the user would type it from where they are, not this machine's absolute path."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def project_dir() -> Path:
    """Where pytest runs: the folder the user is in when it holds the suites (``./run`` changes to its own),
    else the project this module belongs to."""
    return Path.cwd() if (Path.cwd() / "suites").is_dir() else ROOT


def run_pytest(cmd: list[str]) -> int:
    """Run pytest in the foreground and wait for it, also through Ctrl-C (pytest gets the same SIGINT) and
    SIGTERM (passed on as SIGINT): its teardown restores the lab before we return."""
    proc = subprocess.Popen(cmd, cwd=project_dir())
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGINT))
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def allure_binary() -> str | None:
    local = project_dir() / ".tools" / "node_modules" / ".bin" / "allure"
    return str(local) if local.exists() else shutil.which("allure")


def render(outputs: Outputs) -> Path | None:
    """The single-file Allure 3 report, with history and trends kept in ``history.jsonl``."""
    allure = allure_binary()
    if allure is None:
        print("xenlab: Allure is not installed: the HTML report was not rendered", file=sys.stderr)
        return None
    env = {**os.environ, "XENLAB_ALLURE_HISTORY": str(outputs.history), "XENLAB_ALLURE_RESULTS": str(outputs.results)}
    proc = subprocess.run(
        [
            allure,
            "generate",
            str(outputs.results),
            "-c",
            str(project_dir() / "allurerc.mjs"),
            "-o",
            str(outputs.report),
        ],
        cwd=project_dir(),
        env=env,
        capture_output=True,
        text=True,
    )
    index = outputs.report / "index.html"
    if proc.returncode != 0 or not index.exists():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        print(f"xenlab: Allure could not render the report: {detail[0]}", file=sys.stderr)
        return None
    return index


def _lab_name_problem(selection: Selection, lab_name: str) -> str | None:
    """Refuse before anything runs when --lab-name is not the inventory's lab: the destructive checks would only
    skip, and a run that skipped what it was asked to run must not pass."""
    from xenlab.inventory import InventoryError, load_inventory
    from xenlab.inventory.loader import DEFAULT_INVENTORY

    rest = selection.rest
    named = [rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "--inventory"]
    named += [a.split("=", 1)[1] for a in rest if a.startswith("--inventory=")]
    source = named[-1] if named else os.environ.get("XENLAB_INVENTORY", DEFAULT_INVENTORY)
    try:
        inventory = load_inventory(source)
    except InventoryError as exc:
        return str(exc)
    if inventory.lab.name != lab_name:
        return (
            f"--lab-name {lab_name} is not the lab of {source} ({inventory.lab.name}): nothing was run, "
            "nothing was broken"
        )
    return None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="./run acceptance",
        description=__doc__.splitlines()[0],
        epilog="Other arguments go to pytest: paths, -m, -k, -n, --inventory, ...",
    )
    p.add_argument("--allow-destructive", action="store_true", help="run the destructive phase after the checks")
    p.add_argument("--lab-name", help="the inventory's lab name, to confirm the destructive phase")
    p.add_argument("--reports", default="reports", help="output folder (default reports/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args, rest = parser().parse_known_args(argv)
    if args.allow_destructive and not args.lab_name:
        print("xenlab: --allow-destructive needs --lab-name NAME (the inventory's lab name)", file=sys.stderr)
        return 2
    selection = Selection.parse(rest)
    if args.allow_destructive:
        problem = _lab_name_problem(selection, args.lab_name)
        if problem:
            print(f"xenlab: {problem}", file=sys.stderr)
            return 2
    outputs = Outputs(Path(args.reports))
    outputs.clear()
    rc = checks = run_pytest(pytest_command(selection, "checks", outputs))
    if checks not in (0, 1, NO_TESTS):  # interrupted, usage or internal error: pytest said why
        return checks
    phases = [outputs.phase_junit("checks")]
    if args.allow_destructive:
        if checks in (0, NO_TESTS):
            destructive = run_pytest(
                pytest_command(selection, "destructive", outputs, "--allow-destructive", f"--lab-name={args.lab_name}")
            )
            phases.append(outputs.phase_junit("destructive"))
            # Nothing selected in one phase is fine; nothing selected in both is not a green run.
            rc = destructive if destructive != NO_TESTS else (0 if checks == 0 else NO_TESTS)
        else:
            print("xenlab: destructive phase not run: the non-destructive checks did not all pass", file=sys.stderr)
    merge(phases, outputs.junit)
    index = render(outputs)
    print(
        f"xenlab: results: {shown(outputs.junit)}, {shown(outputs.results)}/"
        + (f"; report: {shown(index)}" if index else ""),
        file=sys.stderr,
    )
    return rc


if __name__ == "__main__":
    sys.exit(main())
