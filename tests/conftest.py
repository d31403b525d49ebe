"""The project's own tests: one twin for the whole session, and suites run against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import TwinHarness, start_harness, stop_harness


@pytest.fixture(scope="session")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwinHarness]:
    harness = start_harness(tmp_path_factory.mktemp("suite-runs"))
    try:
        yield harness
    finally:
        stop_harness(harness)
