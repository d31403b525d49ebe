"""Labs the benchmarks run: the workshop, and the workshop scaled out to 16 hosts and 64 VMs."""

from __future__ import annotations

from pathlib import Path

import yaml

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
        {
            **template,
            "name": f"xen{i}",
            "address": f"127.25.70.{i}",
            "xapi_url": f"https://127.25.70.{i}:8443/",
            "addresses": {  # .11 up, as the workshop: .10 is the storage server
                "Management": f"198.18.5.{10 + i}",
                "XenMotion": f"198.18.10.{10 + i}",
                "Storage": f"198.18.20.{10 + i}",
            },
            "fence": {**template["fence"], "address": f"127.25.70.{100 + i}"},  # a BMC of its own
        }
        for i in range(1, hosts + 1)
    ]
    data["vms"] = [
        {"name": f"vm{i:02d}", "host": f"xen{i % hosts + 1}", "network": "Data", "address": f"198.18.30.{100 + i}"}
        for i in range(vms)
    ]
    data["ha"] = {"enabled": False}
    # Room for 64 VMs' disks (20 GiB each) below the utilisation limit: sparse LUN files cost nothing.
    for sr in data["srs"]:
        if sr.get("role") == "vms":
            sr["size_gib"] = 2000
    for target in data["storage"]["targets"]:
        if target["iqn"].endswith("shared"):
            target["luns"] = [{**lun, "size_gib": 2000} for lun in target["luns"]]
    switch = data["switches"][0]
    switch["ports_per_member"] = 48
    switch["port_channels"] = [
        {
            "id": i,
            "description": f"xen{i}",
            "peer": f"xen{i}",
            "members": [f"Gi1/0/{i}", f"Gi2/0/{i}"],
            "allowed_vlans": [5, 10, 20, 30],
            "native_vlan": 5,
        }
        for i in range(1, hosts + 1)
    ]
    switch["port_channels"].append(
        {
            "id": hosts + 1,
            "description": "Storage",
            "peer": data["storage"]["name"],
            "members": ["Gi1/0/48", "Gi2/0/48"],
            "allowed_vlans": [5, 10, 20],
            "native_vlan": 5,
        }
    )
    return data
