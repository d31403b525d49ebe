"""Every acceptance check runs against the lab the inventory names (the twin, if it is simulated)."""

from pathlib import Path

import pytest

from xenlab.severity import severity_of

SUITES = Path(__file__).parent


@pytest.fixture(scope="session", autouse=True)
def _lab_is_up(lab_twin: object, echoes_sent_early: None) -> None:
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each suite's folder is its marker (-m network) and its Allure epic; each module is a feature; each
    check's severity comes from the one table in xenlab.severity (also a JUnit property)."""
    for item in items:
        try:
            relative = Path(item.path).relative_to(SUITES)
        except ValueError:
            continue
        suite = relative.parts[0]
        severity = severity_of(f"{relative.as_posix()}::{item.name}")
        item.add_marker(pytest.mark.allure_label(severity, label_type="severity"))
        item.user_properties.append(("severity", severity))
        item.add_marker(getattr(pytest.mark, suite))
        item.add_marker(pytest.mark.allure_label(suite, label_type="epic"))
        feature = Path(item.path).stem.removeprefix("test_").replace("_", " ")
        item.add_marker(pytest.mark.allure_label(feature, label_type="feature"))
