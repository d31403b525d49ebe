"""No secret from the inventory appears in any output, log or report of a suite run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import TwinHarness
from xenlab.inventory.loader import _secrets

# Each suite healthy, and with a fault, so failed checks attach their evidence (CLI output, XenAPI records) too.
RUNS = [
    ("suites/pool", []),
    ("suites/network", []),
    ("suites/pool", [("host-disabled", ["xen2"])]),
    ("suites/network", [("switch-member-shutdown", ["cisco-stack", "Gi2/0/13"])]),
]


@pytest.fixture(scope="module")
def secret_values(twin: TwinHarness) -> list[str]:
    values = [secret.reveal() for _, secret in _secrets(twin.inventory)]
    assert values, "the tests' inventory has secrets"
    return values


@pytest.mark.parametrize(("suite", "faults"), RUNS, ids=["pool", "network", "pool-fault", "network-fault"])
def test_no_secret_in_output_or_reports(
    twin: TwinHarness, secret_values: list[str], suite: str, faults: list[tuple[str, list[str]]], tmp_path: Path
) -> None:
    alluredir = tmp_path / "allure"
    outcome = twin.run_suite(suite, faults, f"--alluredir={alluredir}", "-o", "log_level=DEBUG", "-rA")
    if faults:  # the healthy run is judged by test_faults; here what matters is what the run printed
        assert outcome.failed, outcome.summary()
    assert outcome.passed, f"{suite} ran no check:\n{outcome.output[-2000:]}"
    texts = {"output": outcome.output}
    texts |= {str(p): p.read_text(errors="replace") for p in alluredir.rglob("*") if p.is_file()}
    texts |= {str(p): p.read_text(errors="replace") for p in twin.workdir.glob("*.xml")}
    for where, text in texts.items():
        for value in secret_values:
            assert value not in text, f"a secret from the inventory appears in {where}"
