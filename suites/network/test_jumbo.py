"""Jumbo frames on the storage network, with real packets from the probe.

Each path gets a DF echo of exactly the inventory MTU (must be answered) and one byte more
(must not be); the path MTU is measured and reported with every result. The echoes of all
paths are sent together and waited for once (the ``storage_echoes`` fixture).
"""

from __future__ import annotations

import allure

from fixtures.probe import SMALL_ECHO, PathEchoes, StoragePath


def test_jumbo_echo(storage_echoes: dict[str, PathEchoes], storage_path: StoragePath, record_property) -> None:
    echoes = storage_echoes[storage_path.name]
    path_mtu = echoes.path_mtu
    report = f"{storage_path}: path MTU {path_mtu or 'none (no echo answered)'}"
    record_property("path_mtu", path_mtu)
    allure.attach(report, name=f"path MTU {storage_path.name}", attachment_type=allure.attachment_type.TEXT)
    print(report)
    assert echoes.at_mtu.reply, (
        f"{storage_path}: no reply to a {storage_path.mtu}-byte DF echo "
        f"({echoes.at_mtu.detail}); measured path MTU {path_mtu or 'none'}, "
        f"expected {storage_path.mtu}"
    )


def test_oversize_echo_dropped(storage_echoes: dict[str, PathEchoes], storage_path: StoragePath) -> None:
    echoes, size = storage_echoes[storage_path.name], storage_path.mtu + 1
    # A dropped echo proves something only on a path that answers: it must answer a small one.
    assert echoes.small.reply, (
        f"{storage_path}: no reply to a {SMALL_ECHO}-byte echo ({echoes.small.detail}); "
        f"cannot show that a {size}-byte DF echo is dropped"
    )
    assert not echoes.over_mtu.reply, (
        f"{storage_path}: a {size}-byte DF echo got a reply; the path carries more than MTU {storage_path.mtu}"
    )
