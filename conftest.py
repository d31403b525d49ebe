"""Root conftest: xenlab's pytest plugins. Fixture code lives in fixtures/."""

pytest_plugins = [
    "fixtures.options",
    "fixtures.lab",
    "fixtures.skips",
    "fixtures.params",
    "fixtures.report",
    "fixtures.waivers",
    "fixtures.facts_out",
    "fixtures.xapi",
    "fixtures.switches",
    "fixtures.probe",
    "fixtures.dom0",
    "fixtures.storage",
    "fixtures.xenmotion",
    "fixtures.ha",
]
