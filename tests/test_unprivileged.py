"""Without root the control-plane faces still run, and every packet check is skipped with the reason, never passed."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from tests.harness import ROOT, lab_copy, read_junit

WRAPPER = str(ROOT / "tests" / "data" / "unprivileged.py")
PACKET_CHECKS = ("test_jumbo.py::", "test_dom0.py::test_storage_ping_jumbo")


def _netns() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def test_packet_checks_skip_and_the_rest_pass_without_root(tmp_path: Path) -> None:
    inventory = lab_copy(tmp_path, 24, "xlnoroot")
    before = _netns()
    junit = tmp_path / "junit.xml"
    twin = subprocess.Popen(
        [sys.executable, WRAPPER, "simlab", "--inventory", str(inventory), "up"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert twin.stdout is not None
        lines = []
        for line in twin.stdout:  # the twin prints "<lab> is up" once every face serves
            lines.append(line)
            if " is up " in line:
                break
        assert twin.poll() is None, "".join(lines)
        assert any("data plane needs root" in line for line in lines), "".join(lines)
        threading.Thread(target=twin.stdout.read, daemon=True).start()  # keep its pipe from filling
        run = subprocess.run(
            [
                sys.executable,
                WRAPPER,
                "pytest",
                "suites",
                f"--inventory={inventory}",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert _netns() == before, "the twin made namespaces without root"
    finally:
        twin.terminate()
        twin.wait(timeout=60)
    outcome = read_junit(junit, ROOT / "suites")
    assert not outcome.failed, run.stdout[-3000:]
    packet = {
        k: v
        for k, v in outcome.skipped.items()
        if k.split("[")[0].endswith(PACKET_CHECKS) or any(k.startswith(p) or p in k for p in PACKET_CHECKS)
    }
    assert packet, f"no packet check was skipped:\n{outcome.summary()}"
    for node, reason in packet.items():
        assert "root" in reason or "skipped" in reason, f"{node}: skipped without saying why: {reason!r}"
    assert not [k for k in outcome.passed if any(p in k for p in PACKET_CHECKS)], "a packet check passed"
    assert len(outcome.passed) >= 80, outcome.summary()
