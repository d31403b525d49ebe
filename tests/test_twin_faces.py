"""A face that cannot be built stops the twin with one clear error; it is never silently left out."""

from __future__ import annotations

from pathlib import Path

import pytest

import simlab.twin
from simlab.errors import TwinError
from simlab.twin import Twin
from tests.harness import lab_copy
from xenlab.inventory import load_inventory


def test_a_face_that_cannot_be_built_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(simlab.twin, "FACES", ["simlab.faces.no_such_face"])
    # A lab of its own (name, namespaces, loopbacks): its claim and sweep never meet the session twin's.
    twin = Twin(load_inventory(lab_copy(tmp_path, 25, "xlfaces")), tmp_path)
    with pytest.raises(TwinError, match="the no_such_face face could not be built: No module named"):
        twin.start()
    assert twin.faces == [] and not twin.loop.is_running()
