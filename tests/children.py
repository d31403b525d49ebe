"""Child processes the project's tests start (pytest, xenlab, simlab) from the repository, with this run's
environment minus what belongs to the outer run: its run id (a child is a run of its own) and its pytest options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTER_ONLY = ("XENLAB_RUN_ID", "PYTEST_ADDOPTS")


def child_env(*drop: str, **extra: str) -> dict[str, str]:
    """This run's environment for a child: without the outer run's own variables and ``drop``, with ``extra``."""
    return {**{k: v for k, v in os.environ.items() if k not in (*OUTER_ONLY, *drop)}, **extra}


def run_python(*argv: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python *argv`` from the repository, its output captured."""
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_pytest(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A pytest run of its own (no cache written into the repository)."""
    return run_python("-m", "pytest", *args, "-p", "no:cacheprovider", env=env, timeout=timeout)


def start_pytest(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``run_pytest`` left running, for a test that interrupts it: stdout and stderr together on ``stdout``."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env if env is not None else child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
