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

from simlab.faces.dataplane import DataPlane, unavailable_reason  # noqa: E402
from simlab.faces.dataplane.names import Names  # noqa: E402
from simlab.model.build import build_lab  # noqa: E402
from xenlab.inventory.loader import parse_inventory  # noqa: E402

WORKSHOP = Path(__file__).resolve().parent.parent / "inventory" / "simlab.yml"


def workshop(name: str) -> dict:
    data = yaml.safe_load(WORKSHOP.read_text())
    data["lab"]["name"] = name
    data["probe"]["netns"] = f"xlprobe-{name}"
    return data


def big_lab(name: str, hosts: int = 16, vms: int = 64) -> dict:
    """The workshop scaled out: one port-channel per host (one NIC on each stack member)."""
    data = workshop(name)
    template = data["pool"]["hosts"][0]
    data["pool"]["hosts"] = [
        {**template, "name": f"xen{i}", "address": f"127.19.70.{i}", "xapi_url": f"https://127.19.70.{i}:8443/",
         "addresses": {"Management": f"198.18.5.{i}", "XenMotion": f"198.18.10.{i}", "Storage": f"198.18.20.{i}"}}
        for i in range(1, hosts + 1)]
    data["vms"] = [{"name": f"vm{i:02d}", "host": f"xen{i % hosts + 1}", "network": "Data",
                    "address": f"198.18.30.{100 + i}"} for i in range(vms)]
    data["ha"] = {"enabled": False}
    switch = data["switches"][0]
    switch["ports_per_member"] = 48
    switch["port_channels"] = [
        {"id": i, "description": f"xen{i}", "peer": f"xen{i}", "members": [f"Gi1/0/{i}", f"Gi2/0/{i}"],
         "allowed_vlans": [5, 10, 20, 30], "native_vlan": 5} for i in range(1, hosts + 1)]
    switch["port_channels"].append({"id": hosts + 1, "description": "Storage", "peer": data["storage"]["name"],
                                    "members": ["Gi1/0/48", "Gi2/0/48"], "allowed_vlans": [5, 10, 20],
                                    "native_vlan": 5})
    return data


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
        print(f"{label}: up {statistics.median(ups) * 1000:.0f} ms, down {statistics.median(downs) * 1000:.0f} ms "
              f"(median of {args.repeat}; {shape.removeprefix('dataplane: ')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
