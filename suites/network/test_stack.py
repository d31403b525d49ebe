"""The switch stack: every stack member the inventory lists is in the stack and Ready."""

from __future__ import annotations


def test_stack_member_ready(stack_member, switch_facts):
    switch, number = stack_member
    member = switch_facts[switch.name].members.get(number)
    assert member is not None, f"{switch.name}: stack member {number} is missing from show switch"
    assert member.state == "Ready", f"{switch.name}: stack member {number} is {member.state}, expected Ready"
