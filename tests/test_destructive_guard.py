"""Destructive checks run only when asked, on the named lab, alone, and never in parallel."""

from __future__ import annotations

import pytest

from tests.children import run_pytest

SAMPLE = "tests/data/guard/guarded_sample.py"


def _run(*args: str) -> str:
    proc = run_pytest(*args, "-rs", "-q", timeout=120)
    return proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((SAMPLE,), "pass --allow-destructive --lab-name NAME"),
        ((SAMPLE, "--allow-destructive"), "--lab-name must be 'workshop'"),
        ((SAMPLE, "--allow-destructive", "--lab-name", "lab"), "--lab-name must be 'workshop'"),
        ((SAMPLE, "--allow-destructive", "--lab-name", "workshop"), "run in a session of their own"),
        (
            (SAMPLE, "--allow-destructive", "--lab-name", "workshop", "-m", "destructive", "-n", "2"),
            "never run in parallel",
        ),
    ],
    ids=["not-allowed", "no-lab-name", "wrong-lab-name", "beside-other-tests", "parallel"],
)
def test_destructive_is_skipped_with_the_reason(args: tuple[str, ...], reason: str) -> None:
    out = _run(*args)
    assert "SKIPPED" in out and reason in out, out


def test_destructive_runs_alone_on_the_named_lab() -> None:
    out = _run(SAMPLE, "--allow-destructive", "--lab-name", "workshop", "-m", "destructive")
    assert "1 passed, 1 deselected" in out, out
