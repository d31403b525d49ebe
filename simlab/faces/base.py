"""What every face of the twin provides."""

from __future__ import annotations

from typing import Protocol


class Face(Protocol):
    name: str

    def start(self) -> None:
        """Start serving; return when ready (listening), raise with one clear line if not."""

    def stop(self) -> None:
        """Stop serving and release everything it created; safe to call twice."""

    def endpoints(self) -> list[str]:
        """One line per endpoint, for `simlab up` and `simlab status`."""
        ...
