"""An in-process data plane for the tests' lab under a name of its own, so it never meets another twin."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from simlab.faces.dataplane import DataPlane
from simlab.model.build import build_lab
from simlab.model.lab import Lab
from simlab.model.netnames import Names
from tests.harness import TWIN_INVENTORY
from xenlab.inventory import Inventory
from xenlab.inventory.loader import parse_inventory

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="the data plane needs root (network namespaces)")


def inventory_named(lab_name: str) -> Inventory:
    text = (
        TWIN_INVENTORY.read_text()
        .replace("name: xltest", f"name: {lab_name}")
        .replace("xlprobe-xltest", f"xlprobe-{lab_name}")
    )
    return parse_inventory(text, f"<{lab_name}>")


def netns_list() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@contextmanager
def dataplane(lab_name: str) -> Iterator[tuple[Inventory, Lab, DataPlane]]:
    inventory = inventory_named(lab_name)
    lab = build_lab(inventory)
    plane = DataPlane(lab, Names(lab.name, lab.probe.netns))
    plane.start()
    try:
        yield inventory, lab, plane
    finally:
        plane.stop()


def in_netns(netns: str, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", netns, *argv], capture_output=True, text=True, timeout=timeout)
