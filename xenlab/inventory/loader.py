"""Load an inventory file; every problem becomes one line naming the file and field."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from xenlab.inventory.crossref import cross_check
from xenlab.inventory.schema import Inventory
from xenlab.inventory.secrets import Secret

DEFAULT_INVENTORY = "inventory/simlab.yml"
# A lab's inventory is a few kilobytes (the 16-host benchmark lab is under 40 KiB); anything
# far larger is the wrong file, and reading it whole could exhaust memory.
MAX_BYTES = 4 * 1024 * 1024

# Pydantic reports a pattern mismatch by quoting the regex; say what is expected instead.
_PATTERN_HINTS = {"iqn": "expected an IQN such as iqn.2006-01.com.openfiler:tsn.shared"}


class InventoryError(Exception):
    """A bad inventory: ``str()`` is one line, ``file: field.path: what is wrong``."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source, self.path, self.problem = source, path, problem
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {problem}")


def format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# Strict types: say what was expected and what kind of value was given (never the value: it may be a secret).
_TYPE_EXPECTED = {
    "int_type": "an integer",
    "bool_type": "true or false",
    "float_type": "a number",
    "string_type": "a string",
}


def _first_error(source: str, err: ValidationError) -> InventoryError:
    errors = err.errors(include_url=False)
    first = errors[0]
    # Union and function validators add their own names to the location; drop them.
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "string_pattern_mismatch" and loc and loc[-1] in _PATTERN_HINTS:
        message = _PATTERN_HINTS[loc[-1]]
    elif first["type"] in _TYPE_EXPECTED:
        message = f"expected {_TYPE_EXPECTED[first['type']]}, got {_kind(first.get('input'))}"
    message = message.removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InventoryError(source, format_loc(loc), message + more)


def _secrets(model: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Secret]]:
    if isinstance(model, Secret):
        yield loc, model
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _secrets(getattr(model, name), (*loc, name))
    elif isinstance(model, list | tuple):
        for i, item in enumerate(model):
            yield from _secrets(item, (*loc, i))
    elif isinstance(model, dict):
        for key, item in model.items():
            yield from _secrets(item, (*loc, key))


def _kind(data: object) -> str:
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        dict: "a mapping",
        type(None): "nothing",
    }.get(type(data), type(data).__name__)


def _yaml_error(source: str, exc: yaml.YAMLError) -> InventoryError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    # An unclosed quote or bracket is found at the end of the file; the line that opened it is the useful one.
    if context and context_mark is not None and ("end of stream" in problem or "<stream end>" in problem):
        mark, problem = context_mark, f"{context}: {problem}"
    line = f":{mark.line + 1}" if mark is not None else ""
    return InventoryError(f"{source}{line}", "", f"YAML syntax error: {problem}")


def _duplicate_key(source: str, node: yaml.Node | None, loc: tuple[Any, ...] = ()) -> InventoryError | None:
    """The first mapping key given twice (YAML keeps the last one silently), named by its field path."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key != "<<":
                line = key_node.start_mark.line + 1
                if key in seen:
                    return InventoryError(
                        f"{source}:{line}",
                        format_loc((*loc, key)),
                        f"duplicate key (first at line {seen[key]}; YAML would keep only the last)",
                    )
                seen[key] = line
            if found := _duplicate_key(source, value_node, (*loc, key)):
                return found
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if found := _duplicate_key(source, item, (*loc, i)):
                return found
    return None


def parse_inventory(text: str, source: str = "<memory>", env: Mapping[str, str] | None = None) -> Inventory:
    try:
        duplicate = _duplicate_key(source, yaml.compose(text, Loader=yaml.SafeLoader))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(source, exc) from None
    if duplicate is not None:
        raise duplicate
    if data is None:
        raise InventoryError(source, "", "the inventory is empty; expected a mapping with lab, pool, networks, ...")
    if not isinstance(data, dict):
        raise InventoryError(
            source, "", f"expected a mapping with lab, pool, networks, ... at the top level, got {_kind(data)}"
        )
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        raise _first_error(source, exc) from None
    inventory._source = source
    for loc, secret in _secrets(inventory):
        if not secret.is_defined(env):
            raise InventoryError(source, format_loc(loc), f"environment variable {secret.variable} is not set")
    problem = cross_check(inventory)
    if problem is not None:
        raise InventoryError(source, *problem)
    return inventory


def load_inventory(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Inventory:
    """Load and validate an inventory; raise InventoryError (one line) on any problem."""
    environ = os.environ if env is None else env
    chosen = Path(path or environ.get("XENLAB_INVENTORY") or DEFAULT_INVENTORY)
    source = str(chosen)
    try:
        text = _read_text(chosen)
    except OSError as exc:
        raise InventoryError(source, "", f"cannot read the inventory: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        raise InventoryError(source, "", problem) from None
    inventory = parse_inventory(text, source, environ)
    inventory._source = str(chosen.resolve())
    return inventory


def _read_text(path: Path) -> str:
    """The file's text, refusing at once what is not a regular file of sane size (a FIFO, /dev/zero)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then tells what was opened.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file (a device, FIFO or socket)")
        if info.st_size > MAX_BYTES:
            raise OSError(0, f"{info.st_size} bytes is too large for an inventory (limit {MAX_BYTES // 1024} KiB)")
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # grew since the check
        raise OSError(0, f"too large for an inventory (limit {MAX_BYTES // 1024} KiB)")
    return data.decode("utf-8")


def known_hosts_path(inventory: Inventory) -> Path | None:
    return inventory_path(inventory, inventory.ssh_known_hosts) if inventory.ssh_known_hosts else None


def inventory_path(inventory: Inventory, relative: str) -> Path:
    """A path from the inventory (CA file, startup-config) resolved against the inventory's folder."""
    base = Path(inventory.source).parent if inventory.source != "<memory>" else Path.cwd()
    return (base / relative).resolve()
