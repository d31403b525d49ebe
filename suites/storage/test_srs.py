"""Every SR the inventory lists exists as it says, is plugged on the hosts it must be, and has room."""

from xenlab.inventory import Inventory
from xenlab.inventory.schema import SR
from xenlab.xapi import XapiFacts


def test_sr_exists(xapi_facts: XapiFacts, sr: SR) -> None:
    found = xapi_facts.sr(sr.name)
    assert found is not None, f"{sr.name}: SR does not exist"
    assert (found.type, found.content_type) == (sr.type, sr.expected_content_type), (
        f"{sr.name}: SR is type {found.type} content {found.content_type or 'empty'}, "
        f"expected type {sr.type} content {sr.expected_content_type}"
    )


def test_sr_shared(xapi_facts: XapiFacts, sr: SR) -> None:
    found = xapi_facts.sr(sr.name)
    assert found is not None, f"{sr.name}: SR does not exist"
    assert found.shared == sr.shared, (
        f"{sr.name}: SR is {'shared' if found.shared else 'not shared'}, "
        f"expected {'shared' if sr.shared else 'not shared'}"
    )


def test_sr_pbds(xapi_facts: XapiFacts, inventory: Inventory, sr: SR) -> None:
    found = xapi_facts.sr(sr.name)
    assert found is not None, f"{sr.name}: SR does not exist"
    hosts = sorted(p.host_name or "?" for p in found.pbds)
    expected = sorted(inventory.sr_hosts(sr))
    assert hosts == expected, (
        f"{sr.name}: SR has PBDs on {', '.join(hosts) or 'no host'}, expected {', '.join(expected)}"
    )


def test_pbd_attached(xapi_facts: XapiFacts, sr_pbd: tuple[SR, str]) -> None:
    sr, host = sr_pbd
    found = xapi_facts.sr(sr.name)
    pbd = found.pbd_on(host) if found is not None else None
    assert pbd is not None, f"{sr.name}: SR has no PBD on {host}"
    assert pbd.currently_attached, f"{sr.name}: PBD on {host} is not attached (unplugged)"


def test_sr_utilisation(xapi_facts: XapiFacts, utilised_sr: SR) -> None:
    found = xapi_facts.sr(utilised_sr.name)
    assert found is not None, f"{utilised_sr.name}: SR does not exist"
    limit = utilised_sr.utilisation_limit_pct
    assert found.utilisation_pct < limit, (
        f"{utilised_sr.name}: SR is {found.utilisation_pct:.0f}% used "
        f"({found.physical_utilisation / 2**30:.1f} of {found.physical_size / 2**30:.1f} GiB), "
        f"expected below {limit:g}%"
    )
