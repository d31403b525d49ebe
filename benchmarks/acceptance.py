"""Run economy of the non-destructive acceptance run: wall time, XenAPI calls and SSH logins.

``.venv/bin/python benchmarks/acceptance.py [--workers N ...]`` runs ``pytest suites`` (the
non-destructive checks) against a twin of the workshop and of a 16-host / 64-VM lab (lab names of
their own) and prints, per lab and worker count: seconds in all (twin start, checks, twin stop, as a
session that starts its own twin spends them), checks, XenAPI calls, SSH logins.
Targets (issue 13): the workshop within 5 s, the big lab within 1.5x the workshop, XenAPI calls
independent of the number of objects, SSH logins = devices x workers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.labs import big_lab, workshop  # noqa: E402
from simlab.runtime import start_detached  # noqa: E402
from xenlab.inventory import load_inventory  # noqa: E402


def run(data: dict, workers: int, folder: Path, octet: int | None = None) -> dict[str, object]:
    path = folder / "inventory" / f"{data['lab']['name']}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False)
    if octet is not None:  # a loopback range of the caller's, clear of the workshop's and the tests' twins
        text = text.replace("127.18.", f"127.{octet}.").replace("127.25.70.", f"127.{octet}.70.")
    path.write_text(text)
    started = time.perf_counter()
    twin = start_detached(load_inventory(path))
    up = time.perf_counter() - started
    try:
        before = twin.request("status")["counters"]
        checks_started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "suites",
                f"--inventory={path}",
                "-q",
                "-m",
                "not destructive",
                "-p",
                "no:cacheprovider",
                *(["-n", str(workers)] if workers > 1 else []),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        checks = time.perf_counter() - checks_started
        after = twin.request("status")["counters"]
    finally:
        down_started = time.perf_counter()
        twin.stop()
        down = time.perf_counter() - down_started
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-300:]
    return {
        "seconds": up + checks + down,
        "up": up,
        "checks": checks,
        "down": down,
        "summary": summary,
        "xapi_calls": delta.get("xapi.call", 0),
        "ssh_logins": sum(v for k, v in delta.items() if k.startswith("ssh.login.")),
        "devices": 1 + len(data["pool"]["hosts"]) + len(data["switches"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--octet", type=int, help="run the labs on 127.OCTET.x instead of 127.18.x / 127.25.70.x")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xenlab-bench-") as tmp:
        for label, data in (("workshop", workshop("xlbenchacc")), ("16 hosts, 64 VMs", big_lab("xlbenchbig"))):
            for workers in args.workers:
                r = run(data, workers, Path(tmp), args.octet)
                print(
                    f"{label}, {workers} worker(s): {r['seconds']:.1f} s (twin up {r['up']:.1f} s, checks "
                    f"{r['checks']:.1f} s, down {r['down']:.1f} s), {r['summary']}; "
                    f"XenAPI calls {r['xapi_calls']}, SSH logins {r['ssh_logins']}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
