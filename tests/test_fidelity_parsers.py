"""Real outputs the project did not write, through the project's parsers and facts.

Samples in tests/data/ios (Apache-2.0, sources in its README). Expected values are those of the
sample's own project (genieparser's ``*_expected.py``, ntc-templates' ``*.yml``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_ios_parsers import RecordedClient, render
from xenlab.switch.facts import collect_switch_facts
from xenlab.switch.parse import ParseError, parse_output

DATA = Path(__file__).parent / "data" / "ios"


def sample(name: str) -> str:
    return (DATA / name).read_text()


# genieparser iosxe ShowEtherchannelSummary golden_output_expected.py: members of each port-channel, in order.
CSR_EXPECTED = {"Po1": ["Gi2", "Gi3"], "Po2": ["Gi4", "Gi5", "Gi6"]}
CSR_FLAGS = {"Gi2": "bndl", "Gi3": "bndl", "Gi4": "bndl", "Gi5": "hot-sby", "Gi6": "bndl"}


def test_csr1000v_summary_keeps_members_after_a_hot_standby_one() -> None:
    rows = parse_output("show etherchannel summary", sample("genie_show_etherchannel_summary_csr1000v.txt"))
    assert {r["bundle_name"]: r["member_interface"] for r in rows} == CSR_EXPECTED
    flags = {m: f for r in rows for m, f in zip(r["member_interface"], r["member_interface_status"], strict=True)}
    assert flags == CSR_FLAGS


class CsrClient(RecordedClient):
    """The twin's answers, except a real IOS-XE router's etherchannel summary."""

    def parsed(self, command: str):
        if command == "show etherchannel summary":
            self.raw[command] = sample("genie_show_etherchannel_summary_csr1000v.txt")
            return parse_output(command, self.raw[command])
        return super().parsed(command)


def test_ios_xe_member_words_become_the_checks_letters() -> None:
    from simlab.model.build import build_lab
    from tests.test_ios_parsers import INVENTORY
    from xenlab.inventory import load_inventory

    facts = collect_switch_facts(CsrClient(build_lab(load_inventory(INVENTORY))))
    assert facts.port_channels["Po2"].members == {"Gi4": "P", "Gi5": "H", "Gi6": "P"}
    assert facts.port_channels["Po1"].flags == "RU"


def test_a_command_without_a_template_says_so() -> None:
    with pytest.raises(ParseError, match=r"^'show frobnicate': no TextFSM template for this command$"):
        parse_output("show frobnicate", "anything\n")


def test_indented_output_says_the_template_matched_nothing() -> None:
    raw = "".join(f"    {line}\n" for line in sample("ntc_show_vlan.txt").splitlines())
    with pytest.raises(ParseError, match=r"^'show vlan': the TextFSM template .* matched nothing in this output"):
        parse_output("show vlan", raw)


def test_indented_summary_is_refused_not_read_as_empty() -> None:
    raw = "".join(f"  {line}\n" for line in sample("genie_show_etherchannel_summary_csr1000v.txt").splitlines())
    with pytest.raises(ParseError, match="matched nothing"):
        parse_output("show etherchannel summary", raw)


@pytest.mark.parametrize(
    "command, raw",
    [
        ("show interfaces trunk", "\n"),
        (
            "show etherchannel summary",
            "Number of channel-groups in use: 0\nNumber of aggregators:           0\n\n"
            "Group  Port-channel  Protocol    Ports\n"
            "------+-------------+-----------+-----------------------------------------------\n",
        ),
    ],
)
def test_a_really_empty_table_is_no_rows(command: str, raw: str) -> None:
    assert parse_output(command, raw) == []


def test_twin_summary_and_real_summary_read_alike() -> None:
    """The twin's layout parses into the same fields as the real Catalyst sample."""
    from simlab.model.build import build_lab
    from tests.test_ios_parsers import INVENTORY
    from xenlab.inventory import load_inventory

    twin = parse_output(
        "show etherchannel summary", render(build_lab(load_inventory(INVENTORY)), "show etherchannel summary")
    )
    real = parse_output("show etherchannel summary", sample("genie_show_etherchannel_summary_catalyst.txt"))
    assert set(twin[0]) == set(real[0]) and twin[0]["member_interface_status"] == ["P", "P"]
