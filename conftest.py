"""Root conftest: xenlab's pytest plugins. Fixture code lives in fixtures/.

``fixtures`` is not installed into site-packages (PyPI has a package of that name): pytest puts
this folder first on ``sys.path`` to import this file, and the plugins below come from here.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_loaded = sys.modules.get("fixtures")
if _loaded is not None and Path(getattr(_loaded, "__file__", None) or "/").resolve().parent != _HERE / "fixtures":
    raise ImportError(f"another package named 'fixtures' ({_loaded.__file__}) was imported before xenlab's {_HERE}")

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
    "fixtures.lablock",
    "fixtures.xenmotion",
    "fixtures.ha",
]
