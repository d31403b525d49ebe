"""Jumbo frames on the storage network, with real packets from the probe.

Each path gets a DF echo of exactly the inventory MTU (must be answered) and one byte more
(must not be); the path MTU is measured by bisection and reported with every result.
"""

from __future__ import annotations

import allure
import pytest

from fixtures.probe import StoragePath
from xenlab.probe import Probe

SMALL_ECHO = 64  # bytes: any path that is up carries it


@pytest.fixture(scope="module")
def path_mtus() -> dict[str, int | None]:
    return {}


def measured(probe: Probe, path: StoragePath, cache: dict[str, int | None]) -> int | None:
    if path.name not in cache:
        cache[path.name] = probe.path_mtu(path.address, hint=path.mtu)
    return cache[path.name]


def test_jumbo_echo(probe: Probe, storage_path: StoragePath, path_mtus: dict, record_property) -> None:
    path_mtu = measured(probe, storage_path, path_mtus)
    report = f"{storage_path}: path MTU {path_mtu or 'none (no echo answered)'}"
    record_property("path_mtu", path_mtu)
    allure.attach(report, name=f"path MTU {storage_path.name}", attachment_type=allure.attachment_type.TEXT)
    print(report)
    echo = probe.echo(storage_path.address, storage_path.mtu)
    assert echo.reply, (f"{storage_path}: no reply to a {storage_path.mtu}-byte DF echo ({echo.detail}); "
                        f"measured path MTU {path_mtu or 'none'}, expected {storage_path.mtu}")


def test_oversize_echo_dropped(probe: Probe, storage_path: StoragePath) -> None:
    # A dropped echo proves something only on a path that answers: check it answers a small one first.
    alive = probe.echo(storage_path.address, SMALL_ECHO)
    size = storage_path.mtu + 1
    assert alive.reply, (
        f"{storage_path}: no reply to a {SMALL_ECHO}-byte echo ({alive.detail}); "
        f"cannot show that a {size}-byte DF echo is dropped"
    )
    echo = probe.echo(storage_path.address, size)
    assert not echo.reply, (
        f"{storage_path}: a {size}-byte DF echo got a reply; the path carries more than MTU {storage_path.mtu}"
    )
