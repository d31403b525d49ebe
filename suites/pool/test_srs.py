"""The ISO library SR exists (the pool's storage proper is checked by suites/storage)."""

import pytest

from fixtures.options import inventory_of
from xenlab.inventory.schema import SR
from xenlab.xapi import XapiFacts


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "iso_sr" in metafunc.fixturenames:
        srs = [s for s in inventory_of(metafunc.config).srs if s.role == "iso"]
        metafunc.parametrize("iso_sr", srs, ids=[s.name for s in srs])


def test_iso_library_exists(xapi_facts: XapiFacts, iso_sr: SR) -> None:
    sr = xapi_facts.sr(iso_sr.name)
    assert sr is not None, f"{iso_sr.name}: ISO library SR does not exist"
    assert sr.content_type == "iso", (
        f"{iso_sr.name}: SR content type is {sr.content_type or 'empty'}, expected an ISO library (iso)"
    )
