"""Parse IOS show output into rows: ntc-templates where they cover a command, ours where not.

The same function parses live output (the client) and recorded output (the project's tests),
through netmiko's TextFSM helper, which is what ``send_command(..., use_textfsm=True)`` runs.

Zero rows is an answer only where IOS really prints a table with nothing in it (``EMPTY``: no
port-channel configured, no trunk up, PAgP on an LACP-only switch). Anywhere else a template that
matched nothing is a ParseError saying so, distinct from a command that has no template at all.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from netmiko.exceptions import NetmikoParsingException
from netmiko.utilities import get_structured_data_textfsm

TEMPLATES = Path(__file__).parent / "templates"

# Commands whose template is ours: ntc-templates has none, one that refuses layer-2 lines (running-config
# interface), or one that drops members after an IOS-XE ``hot-sby`` member (etherchannel summary).
OWN = {
    "show interfaces trunk": "cisco_ios_show_interfaces_trunk.textfsm",
    "show lacp neighbor": "cisco_ios_show_lacp_neighbor.textfsm",
    "show system mtu": "cisco_ios_show_system_mtu.textfsm",
    "show etherchannel load-balance": "cisco_ios_show_etherchannel_load-balance.textfsm",
    "show etherchannel summary": "cisco_ios_show_etherchannel_summary.textfsm",
    "show running-config interface": "cisco_ios_show_running-config_interface.textfsm",
    "show lacp sys-id": "cisco_ios_show_lacp_sys-id.textfsm",
    "show lacp counters": "cisco_ios_show_lacp_counters.textfsm",
    "show lacp internal": "cisco_ios_show_lacp_internal.textfsm",
    "show lacp neighbor detail": "cisco_ios_show_lacp_neighbor_detail.textfsm",
    "show pagp neighbor": "cisco_ios_show_pagp_neighbor.textfsm",
    "show pagp counters": "cisco_ios_show_pagp_counters.textfsm",
    "show pagp internal": "cisco_ios_show_pagp_internal.textfsm",
    "show etherchannel load-balancing": "cisco_ios_show_etherchannel_load-balancing.textfsm",
    "show etherchannel detail": "cisco_ios_show_etherchannel_detail.textfsm",
}

# What IOS prints when the table is truly empty, by command prefix.
EMPTY = {
    "show interfaces trunk": re.compile(r"\A\s*\Z"),
    "show lacp counters": re.compile(r"\A\s*\Z"),
    "show pagp counters": re.compile(r"\A\s*\Z"),
    "show etherchannel summary": re.compile(r"Number of channel-groups in use:\s*0\b"),
    "show lacp neighbor": re.compile(r"\A(?![\s\S]*Channel group)"),
    "show pagp neighbor": re.compile(r"\A"),  # groups whose members hear no PAgP partner list no row
    "show pagp": re.compile(r"\A(?![\s\S]*Channel group)"),
    "show lacp": re.compile(r"\A(?![\s\S]*Channel group)"),
}


class ParseError(ValueError):
    """Output that the command's template cannot read."""


def _normal(command: str) -> str:
    return " ".join(command.split()).lower()


def own_template(command: str) -> Path | None:
    normal = _normal(command)
    for prefix in sorted(OWN, key=len, reverse=True):  # "show lacp neighbor detail" before "show lacp neighbor"
        if normal.startswith(prefix):
            return TEMPLATES / OWN[prefix]
    return None


def _empty_is_an_answer(command: str, raw: str) -> bool:
    normal = _normal(command)
    return any(normal.startswith(prefix) and pattern.search(raw) for prefix, pattern in EMPTY.items())


def parse_output(command: str, raw: str) -> list[dict[str, Any]]:
    """Rows for ``command``'s output; ParseError (one line) if no template reads it."""
    template = own_template(command)
    try:
        with warnings.catch_warnings():  # netmiko's own use of a deprecated importlib API, not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            rows = get_structured_data_textfsm(
                raw,
                platform="cisco_ios",
                command=command,
                template=str(template) if template else None,
                raise_parsing_error=True,
            )
    except NetmikoParsingException as exc:
        if "template not found" in str(exc):
            raise ParseError(f"{command!r}: no TextFSM template for this command") from None
        if _empty_is_an_answer(command, raw):
            return []
        name = template.name if template else "of ntc-templates"
        raise ParseError(
            f"{command!r}: the TextFSM template {name} matched nothing in this output "
            f"({len(raw.splitlines())} lines; indented, or not the format it reads)"
        ) from None
    except Exception as exc:  # textfsm raises its own errors for unexpected lines
        raise ParseError(f"{command!r}: output not in the expected format: {exc}") from None
    if isinstance(rows, str):  # older netmiko: the text back when nothing parsed
        raise ParseError(f"{command!r}: no TextFSM template for this command")
    if _normal(command).startswith("show interfaces trunk"):
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
