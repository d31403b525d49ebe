"""Reading and merging pytest's JUnit files: each check's id and outcome, and one file for several phases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

PASSED, FAILED, ERROR, SKIPPED, WAIVED = "passed", "failed", "error", "skipped", "waived"


@dataclass(frozen=True)
class CheckOutcome:
    check: str  # pool/test_hosts.py::test_host_enabled[xen2]
    status: str
    message: str = ""


def check_id(classname: str, name: str, root: Path) -> str:
    """``suites.pool.test_hosts`` + ``test_host_enabled[xen2]`` -> ``pool/test_hosts.py::test_host_enabled[xen2]``
    (relative to ``suites/`` when the module is there, else to the project)."""
    parts = classname.split(".")
    for n in range(len(parts), 0, -1):
        module = root.joinpath(*parts[:n]).with_suffix(".py")
        if module.exists():
            rel = module.relative_to(root).as_posix().removeprefix("suites/")
            return "::".join([rel, *parts[n:], name])
    return f"{classname}::{name}"


def _first_line(element: ET.Element) -> str:
    text = element.get("message") or element.text or ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first.removeprefix("AssertionError: ").removeprefix("Failed: ")


def read_outcomes(path: Path, root: Path) -> dict[str, CheckOutcome]:
    """Every check in a JUnit file; a setup error or failure is ``error``, an xfail that a waiver made ``waived``."""
    outcomes: dict[str, CheckOutcome] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        check = check_id(case.get("classname", ""), case.get("name", ""), root)
        failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
        if failure is not None:
            outcome = CheckOutcome(check, FAILED, _first_line(failure))
        elif error is not None:
            outcome = CheckOutcome(check, ERROR, _first_line(error))
        elif skipped is not None:
            message = _first_line(skipped)
            waived = skipped.get("type") == "pytest.xfail" and "waived" in (skipped.text or "") + message
            outcome = CheckOutcome(check, WAIVED if waived else SKIPPED, message)
        else:
            outcome = CheckOutcome(check, PASSED)
        if check not in outcomes or outcome.status != PASSED:  # a teardown error after a pass still counts
            outcomes[check] = outcome
    return outcomes


def merge(parts: list[Path], out: Path) -> None:
    """One JUnit file with every phase's test suites, for CI systems that read one."""
    root = ET.Element("testsuites")
    for part in parts:
        if not part.is_file():
            continue
        tree = ET.parse(part).getroot()
        suites = [tree] if tree.tag == "testsuite" else list(tree.iter("testsuite"))
        for suite in suites:
            suite.set("name", f"{suite.get('name', 'pytest')} ({part.stem.removeprefix('junit-')})")
            root.append(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, 0)) for s in root)))
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
