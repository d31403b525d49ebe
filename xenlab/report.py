"""What a report says about the run: the lab, the tools, and how failures are grouped."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from xenlab.inventory import Inventory


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _relative(path: str) -> str:
    """The inventory as the user named it from the project folder, not this machine's absolute path."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return Path(path).name


def allure_environment(inventory: Inventory) -> dict[str, str]:
    return {
        "lab": inventory.lab.name,
        "lab.kind": inventory.lab.kind,
        "inventory": _relative(inventory.source),
        "pool": inventory.pool.name,
        "tls.verify": str(inventory.pool.tls.verify).lower(),
        "ssh.host_keys": "pinned" if inventory.ssh_known_hosts else "not pinned (unknown keys logged and accepted)",
        "hosts": ", ".join(h.name for h in inventory.pool.hosts),
        "switches": ", ".join(s.name for s in inventory.switches) or "none",
        "python": platform.python_version(),
        "xenlab": _version("xenlab"),
        "XenAPI": _version("XenAPI"),
        "netmiko": _version("netmiko"),
        "pytest-testinfra": _version("pytest-testinfra"),
        "scapy": _version("scapy"),
    }


def allure_categories() -> list[dict[str, object]]:
    """Tell a broken lab from a broken run: a check that found a problem vs. a device that did not answer."""
    return [
        {"name": "Lab does not meet the inventory", "matchedStatuses": ["failed"]},
        {"name": "Device unreachable or login refused", "matchedStatuses": ["broken"],
         "messageRegex": ".*(unreachable|did not answer|timed out|login|authentication).*"},
        {"name": "Check could not run", "matchedStatuses": ["broken"]},
        {"name": "Skipped by design (destructive, no packets)", "matchedStatuses": ["skipped"]},
    ]
