"""Port-channels: in use, members in the inventory's channel-group mode and bundled, spread over the stack,
partners heard."""

from __future__ import annotations

from xenlab.ifname import parse_port
from xenlab.inventory.schema import PortChannel, Switch
from xenlab.switch.facts import PortChannelFact, SwitchFacts

FLAGS = {
    "P": "bundled",
    "s": "suspended",
    "I": "stand-alone",
    "D": "down",
    "H": "hot-standby",
    "w": "waiting",
    "u": "unsuitable",
    "f": "failed to allocate",
}


def _port_channel(switch_facts: dict[str, SwitchFacts], switch: Switch, pc: PortChannel) -> PortChannelFact:
    found = switch_facts[switch.name].port_channels.get(pc.name)
    assert found is not None, f"{pc.name}: not configured on {switch.name}"
    return found


def test_port_channel_in_use(port_channel: tuple[Switch, PortChannel], switch_facts: dict[str, SwitchFacts]) -> None:
    switch, pc = port_channel
    found = _port_channel(switch_facts, switch, pc)
    assert found.flags == "SU", f"{pc.name}: flags {found.flags}, expected in use (SU)"


def test_port_channel_mode(port_channel: tuple[Switch, PortChannel], switch_facts: dict[str, SwitchFacts]) -> None:
    """Each member's channel-group mode is the inventory's: LACP active or passive, or static on.

    Members missing from the port-channel are test_port_channel_bundled's to report."""
    switch, pc = port_channel
    found = _port_channel(switch_facts, switch, pc)
    wrong = [
        f"{member} channel-group mode is {found.modes.get(member) or 'not shown by IOS'}, expected {pc.mode}"
        for member in pc.members
        if member in found.members and found.modes.get(member) != pc.mode
    ]
    assert not wrong, f"{pc.name}: " + "; ".join(wrong)


def test_port_channel_bundled(port_channel: tuple[Switch, PortChannel], switch_facts: dict[str, SwitchFacts]) -> None:
    switch, pc = port_channel
    found = _port_channel(switch_facts, switch, pc)
    problems = []
    for member in pc.members:
        flag = found.members.get(member)
        if flag is None:
            problems.append(f"member {member} is not in the port-channel")
        elif flag != "P":
            problems.append(f"member {member} is {FLAGS.get(flag, 'in state')} ({flag}), expected bundled (P)")
    assert not problems, f"{pc.name}: " + "; ".join(problems)


def test_port_channel_spans_stack(
    stacked_port_channel: tuple[Switch, PortChannel], switch_facts: dict[str, SwitchFacts]
) -> None:
    switch, pc = stacked_port_channel
    found = _port_channel(switch_facts, switch, pc)
    on = sorted({parse_port(m).stack_member for m in found.members})
    assert len(on) >= 2, (
        f"{pc.name}: members {', '.join(found.members) or 'none'} are on stack member(s) "
        f"{', '.join(map(str, on)) or 'none'}, expected at least 2 stack members"
    )


def test_lacp_partner(lacp_port_channel: tuple[Switch, PortChannel], switch_facts: dict[str, SwitchFacts]) -> None:
    switch, pc = lacp_port_channel
    neighbors = switch_facts[switch.name].lacp
    missing = [m for m in pc.members if m not in neighbors or not neighbors[m].present]
    assert not missing, f"{pc.name}: no LACP partner ({pc.peer}) on {', '.join(missing)}"
    partners = {neighbors[m].dev_id for m in pc.members}
    assert len(partners) == 1, f"{pc.name}: members see different LACP partners {sorted(partners)}, expected one"
