"""How long the data plane takes to come up and go down: the workshop lab, and 16 hosts with 64 VMs.

Run as root: ``.venv/bin/python benchmarks/dataplane.py [--repeat N]``. Uses lab names of its own
(xlbenchws, xlbench16), so it never touches a running twin.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.labs import big_lab, workshop  # noqa: E402
from simlab.faces.dataplane import DataPlane, unavailable_reason  # noqa: E402
from simlab.model.build import build_lab  # noqa: E402
from simlab.model.netnames import Names  # noqa: E402
from xenlab.inventory.loader import parse_inventory  # noqa: E402


def measure(data: dict, repeat: int) -> tuple[list[float], list[float], str]:
    inventory = parse_inventory(yaml.safe_dump(data), f"<{data['lab']['name']}>")
    ups, downs, shape = [], [], ""
    for _ in range(repeat):
        lab = build_lab(inventory)
        plane = DataPlane(lab, Names(lab.name, lab.probe.netns))
        started = time.perf_counter()
        plane.start()
        ups.append(time.perf_counter() - started)
        shape = plane.endpoints()[0]
        started = time.perf_counter()
        plane.stop()
        downs.append(time.perf_counter() - started)
    return ups, downs, shape


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"benchmark skipped: {reason}")
        return 2
    for label, data in (("workshop", workshop("xlbenchws")), ("16 hosts, 64 VMs", big_lab("xlbench16"))):
        ups, downs, shape = measure(data, args.repeat)
        print(
            f"{label}: up {statistics.median(ups) * 1000:.0f} ms, down {statistics.median(downs) * 1000:.0f} ms "
            f"(median of {args.repeat}; {shape.removeprefix('dataplane: ')})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
