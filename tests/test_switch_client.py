"""The switch client tells IOS's refusals from output, whichever way IOS refuses."""

from __future__ import annotations

import pytest

from xenlab.switch.client import ios_refusal


@pytest.mark.parametrize(
    "output",
    [
        "show etherchannel summry\n                   ^\n% Invalid input detected at '^' marker.\n",
        "% Incomplete command.\n",
        '% Ambiguous command:  "show e"\n',
        "% Unknown command or computer name, or unable to find computer address\n",
    ],
)
def test_refusals_are_recognised(output: str) -> None:
    assert ios_refusal(output) == output.strip().splitlines()[-1]


def test_output_is_not_a_refusal() -> None:
    assert ios_refusal("Group  Port-channel  Protocol    Ports\n1      Po1(SU)         LACP      Gi1/0/13(P)\n") is None
