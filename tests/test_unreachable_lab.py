"""A lab that does not answer: every check errors with one line naming the device, and nothing hangs."""

from __future__ import annotations

import re
from pathlib import Path

from tests.children import run_pytest
from tests.harness import ROOT, TWIN_INVENTORY, read_junit


def test_every_check_names_the_device_that_did_not_answer(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory" / "gone.yml"
    inventory.parent.mkdir()
    # A "real" lab on loopbacks where nothing listens: no twin is started for it.
    # Nothing pinned or verified, so each client gets as far as the connection itself.
    text = TWIN_INVENTORY.read_text().replace("127.19.", "127.29.").replace("kind: simulated", "kind: real")
    text = text.replace("timeout_s: 4 ", "timeout_s: 60 ")  # a real lab's HA timeout
    text = text.replace("xltest", "xlgone").replace("verify: true", "verify: false")
    inventory.write_text("\n".join(line for line in text.splitlines() if not line.startswith("ssh_known_hosts")))
    junit = tmp_path / "junit.xml"
    run = run_pytest("suites", f"--inventory={inventory}", "-q", f"--junitxml={junit}", timeout=300)
    assert run.returncode == 1, run.stdout[-2000:]
    outcome = read_junit(junit, ROOT / "suites")
    assert not outcome.passed, "a check passed against a lab that does not answer"
    assert outcome.failed, outcome.summary()
    device = re.compile(
        r"^(probe|storage probe|pool lab|cisco-stack \(127\.29\.1\.1:2222\)|"
        r"xen[12] dom0 \(127\.29\.0\.1[12]:2222\)): "
    )
    for node, message in outcome.failed.items():
        assert device.match(message), f"{node}: {message!r} does not start with the device"
    assert "Traceback" not in run.stdout and "During handling" not in run.stdout, run.stdout[-3000:]
