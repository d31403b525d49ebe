"""Waivers: a waived failure passes the run as a known issue, an expired one fails it, a malformed file stops it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.children import run_pytest
from tests.harness import TWIN_INVENTORY, TwinHarness
from xenlab.waivers import WaiverError, load_waivers, waiver_for

CHECK = "pool/test_hosts.py::test_host_enabled[xen2]"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yml"
    path.write_text(text)
    return path


def entry(test: str = CHECK, expires: str = "2999-12-31") -> str:
    return (
        f"waivers:\n  - test: '{test}'\n    justification: xen2 in maintenance (CHG-1)\n    owner: alice\n"
        f"    expires: {expires}\n"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("waivers:\n  - test: x\n    owner: a\n    expires: 2030-01-01\n", "waivers[0] (x): justification: missing"),
        (
            "waivers:\n  - test: x\n    justification: j\n    owner: a\n    expires: soon\n",
            "waivers[0] (x): expires: 'soon' is not a date (YYYY-MM-DD)",
        ),
        (
            entry() + "  - test: y\n    justification: j\n    owner: a\n    expires: 2030-01-01\n    team: b\n",
            "waivers[1] (y): unknown field 'team'",
        ),
        ("waivers:\n  - just a string\n", "waivers[0]: expected a mapping"),
        ("waivers: [\n", "not valid YAML"),
        ("waiver: []\n", "expected one key, waivers"),
    ],
)
def test_malformed_file_is_one_line_naming_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(WaiverError) as error:
        load_waivers(write(tmp_path, text))
    assert problem in str(error.value) and "\n" not in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "waivers.yml"))


def test_patterns_match_ids_with_literal_brackets(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path, entry("test_vm_running[vm0*]")))
    assert waiver_for(waivers, "pool/test_vms.py::test_vm_running[vm01]", "test_vm_running[vm01]")
    assert not waiver_for(waivers, "test_vm_running[vm11]", "test_vm_running[x]")
    exact = load_waivers(write(tmp_path, entry()))
    assert waiver_for(exact, "suites/" + CHECK, CHECK) and not waiver_for(exact, "test_host_enabled[xen1]")


def test_expiry_is_the_last_day_it_holds(tmp_path: Path) -> None:
    (waiver,) = load_waivers(write(tmp_path, entry(expires="2026-11-25")))
    assert not waiver.expired(date(2026, 11, 25)) and waiver.expired(date(2026, 11, 26))


def test_malformed_file_stops_the_run_before_any_test(tmp_path: Path) -> None:
    bad = write(tmp_path, "waivers:\n  - test: x\n    owner: a\n    expires: 2030-01-01\n")
    proc = run_pytest("suites", "--co", "-q", f"--inventory={TWIN_INVENTORY}", f"--waivers={bad}", timeout=120)
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("ERROR")]
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert errors == [f"ERROR: waivers: {bad}: waivers[0] (x): justification: missing"], proc.stderr


def test_waived_failure_passes_the_run_as_a_known_issue(twin: TwinHarness, tmp_path: Path) -> None:
    results = tmp_path / "allure"
    outcome = twin.run_suite(
        "suites/pool/test_hosts.py",
        [("host-disabled", ["xen2"])],
        f"--waivers={write(tmp_path, entry())}",
        f"--alluredir={results}",
    )
    assert outcome.returncode == 0 and not outcome.failed, outcome.summary() + outcome.output[-2000:]
    waived = outcome.skipped["test_hosts.py::test_host_enabled[xen2]"]
    assert "waived until 2999-12-31 (owner alice): xen2 in maintenance" in waived
    (result,) = [
        r
        for r in map(json.loads, map(Path.read_text, results.glob("*-result.json")))
        if r["name"] == "test_host_enabled[xen2]"
    ]
    assert result["status"] == "skipped" and "waived" in result["statusDetails"]["message"]
    assert "xen2: host is disabled" in result["statusDetails"]["message"]  # the evidence stays
    assert {"name": "tag", "value": "known issue"} in result["labels"]


def test_expired_waiver_fails_the_run_and_says_so(twin: TwinHarness, tmp_path: Path) -> None:
    expired = write(tmp_path, entry(expires="2020-01-01"))
    outcome = twin.run_suite("suites/pool/test_hosts.py", [], f"--waivers={expired}")
    assert outcome.returncode == 1 and not outcome.failed, outcome.summary()
    assert f"waivers[0] ({CHECK}) expired on 2020-01-01 (owner alice)" in outcome.output
