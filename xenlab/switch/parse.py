"""Parse IOS show output into rows: ntc-templates where they cover a command, ours where not.

The same function parses live output (the client) and recorded output (the project's tests),
through netmiko's TextFSM helper, which is what ``send_command(..., use_textfsm=True)`` runs.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from netmiko.utilities import get_structured_data_textfsm

TEMPLATES = Path(__file__).parent / "templates"

# Commands whose template is ours: ntc-templates has none, or (running-config interface) one that
# refuses layer-2 lines.
OWN = {
    "show interfaces trunk": "cisco_ios_show_interfaces_trunk.textfsm",
    "show lacp neighbor": "cisco_ios_show_lacp_neighbor.textfsm",
    "show system mtu": "cisco_ios_show_system_mtu.textfsm",
    "show etherchannel load-balance": "cisco_ios_show_etherchannel_load-balance.textfsm",
    "show running-config interface": "cisco_ios_show_running-config_interface.textfsm",
}


class ParseError(ValueError):
    """Output that the command's template cannot read."""


def own_template(command: str) -> Path | None:
    normal = " ".join(command.split()).lower()
    for prefix, name in OWN.items():
        if normal.startswith(prefix):
            return TEMPLATES / name
    return None


def parse_output(command: str, raw: str) -> list[dict[str, Any]]:
    """Rows for ``command``'s output; ParseError (one line) if no template reads it."""
    template = own_template(command)
    try:
        with warnings.catch_warnings():  # netmiko's own use of a deprecated importlib API, not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            rows = get_structured_data_textfsm(
                raw, platform="cisco_ios", command=command, template=str(template) if template else None
            )
    except Exception as exc:  # textfsm raises its own errors for unexpected lines
        raise ParseError(f"{command!r}: output not in the expected format: {exc}") from None
    if isinstance(rows, str):  # netmiko returns the text when no template matched the command
        raise ParseError(f"{command!r}: no TextFSM template for this command")
    if command.strip().lower().startswith("show interfaces trunk"):
        rows = merge_by_port(rows)
    return rows


def merge_by_port(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join the per-section rows of ``show interfaces trunk`` into one row per port."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        into = merged.setdefault(row["port"], dict(row))
        for key, value in row.items():
            if value and not into.get(key):
                into[key] = value
    return list(merged.values())
