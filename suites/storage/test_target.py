"""From the probe on the storage network: the portal answers, discovery lists the targets, CHAP works, LUN sizes."""

from xenlab.inventory import Inventory
from xenlab.inventory.schema import Lun, Target
from xenlab.target import StorageView

GIB = 2**30


def test_portal_answers(storage_view: StorageView, inventory: Inventory) -> None:
    assert storage_view.portal_error is None, f"{inventory.storage.name}: {storage_view.portal_error}"


def test_discovery_lists_targets(storage_view: StorageView, inventory: Inventory) -> None:
    name = inventory.storage.name
    assert storage_view.discovery_error is None, f"{name}: {storage_view.discovery_error}"
    missing = [t.iqn for t in inventory.storage.targets if t.iqn not in storage_view.discovered]
    assert not missing, f"{name}: discovery on {storage_view.portal} does not list {', '.join(missing)}"


def test_chap_login(storage_view: StorageView, target: Target, inventory: Inventory) -> None:
    login = storage_view.logins[target.iqn]
    user = inventory.storage.chap.username if inventory.storage.chap else "(no CHAP)"
    assert login.error is None, f"{target.iqn}: login as {user} failed: {login.error}"


def test_lun_size(storage_view: StorageView, target_lun: tuple[Target, Lun]) -> None:
    target, lun = target_lun
    login = storage_view.logins[target.iqn]
    assert login.error is None, f"{target.iqn}: cannot list LUNs: {login.error}"
    size = login.luns.get(lun.id)
    reported = sorted(login.luns) or "none"
    assert size is not None, f"{target.iqn}: LUN {lun.id} is missing (the target reports {reported})"
    assert abs(size - lun.size_gib * GIB) < GIB / 1024, (
        f"{target.iqn}: LUN {lun.id} is {size / GIB:.2f} GiB, expected {lun.size_gib:g} GiB"
    )
