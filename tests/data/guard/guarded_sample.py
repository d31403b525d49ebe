"""Sample checks for the destructive-test guard (run by tests/test_destructive_guard.py, not collected alone)."""

import pytest


@pytest.mark.destructive
def test_breaks_the_lab() -> None:
    pass


def test_reads_the_lab() -> None:
    pass
