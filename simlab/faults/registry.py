"""The fault registry: every fault the twin can inject, and the faults now active.

A fault is a function that changes the model and returns how to undo it. Faces
never special-case a fault: they render the changed model. Each module under
``simlab.faults`` registers the faults of one area with ``@fault``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simlab.model.lab import Lab
    from xenlab.inventory.schema import Inventory

Undo = Callable[[], None]


class FaultError(ValueError):
    """A fault cannot be injected as asked: unknown name, wrong or unknown arguments."""


@dataclass(frozen=True)
class FaultSpec:
    name: str
    params: tuple[str, ...]
    breaks: str  # what it breaks, for `simlab faults`
    example: Callable[[Inventory], list[str]]  # ready-to-run arguments for an inventory
    apply: Callable[..., Undo]
    needs_root: bool = False  # only meaningful with the data plane

    def usage(self) -> str:
        return " ".join([self.name, *(p.upper() for p in self.params)])


REGISTRY: dict[str, FaultSpec] = {}


def fault(name: str, breaks: str, example: Callable[[Inventory], list[str]], needs_root: bool = False):
    """Register ``apply(lab, *args) -> undo`` as fault ``name``."""

    def register(apply: Callable[..., Undo]) -> Callable[..., Undo]:
        import inspect

        params = tuple(list(inspect.signature(apply).parameters)[1:])
        if name in REGISTRY:
            raise RuntimeError(f"fault {name} registered twice")
        REGISTRY[name] = FaultSpec(name, params, breaks, example, apply, needs_root)
        return apply

    return register


def set_attr(obj: object, attr: str, value: object) -> Undo:
    """Set an attribute and return the undo; most faults are one or two of these."""
    before = getattr(obj, attr)
    setattr(obj, attr, value)
    return lambda: setattr(obj, attr, before)


def undo_all(*undos: Undo) -> Undo:
    def run() -> None:
        for undo in reversed(undos):
            undo()

    return run


@dataclass
class Active:
    name: str
    args: tuple[str, ...]
    undo: Undo

    def __str__(self) -> str:
        return " ".join([self.name, *self.args])


@dataclass
class ActiveFaults:
    lab: Lab
    active: list[Active] = field(default_factory=list)

    def inject(self, name: str, args: list[str]) -> Active:
        import simlab.faults  # noqa: F401  (registers every fault module)

        spec = REGISTRY.get(name)
        if spec is None:
            raise FaultError(f"unknown fault {name!r}; `simlab faults` lists them")
        if len(args) != len(spec.params):
            raise FaultError(f"usage: simlab fault {spec.usage()}")
        with self.lab.lock:
            if any(a.name == name and a.args == tuple(args) for a in self.active):
                raise FaultError(f"fault {' '.join([name, *args])} is already active")
            undo = spec.apply(self.lab, *args)
            entry = Active(name, tuple(args), undo)
            self.active.append(entry)
        self.lab.changed()
        return entry

    def heal(self, name: str | None = None) -> list[Active]:
        """Undo the named fault (all of its instances), or every fault, newest first."""
        with self.lab.lock:
            healed = [a for a in self.active if name is None or a.name == name]
            if name is not None and not healed:
                raise FaultError(f"fault {name!r} is not active")
            for entry in reversed(healed):
                entry.undo()
                self.active.remove(entry)
        self.lab.changed()
        return healed

    def is_active(self, name: str, *args: str) -> bool:
        return any(a.name == name and a.args[: len(args)] == args for a in self.active)
