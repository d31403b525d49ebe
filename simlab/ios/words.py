"""Reading one IOS command line: unique-prefix keywords, numbers, and where an error is.

IOS accepts any unambiguous prefix of a keyword (``sh run``, ``conf t``) and answers a
wrong word with a caret under it; ``CliError.column`` says where that caret goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xenlab.ifname import parse_port

INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."


class CliError(Exception):
    """A command IOS would refuse: ``column`` is the caret position, or None for no caret line."""

    def __init__(self, message: str = INVALID, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.column = message, column


@dataclass
class Words:
    line: str
    tokens: list[tuple[str, int]] = field(default_factory=list)  # (word, column)
    i: int = 0

    def __post_init__(self) -> None:
        self.tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", self.line)]

    # -- position -----------------------------------------------------------------------------
    def more(self) -> bool:
        return self.i < len(self.tokens)

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.more() else None

    def column(self) -> int:
        return self.tokens[self.i][1] if self.more() else len(self.line)

    def invalid(self) -> CliError:
        return CliError(INVALID, self.column())

    def end(self) -> None:
        """The command is complete: anything more is invalid."""
        if self.more():
            raise self.invalid()

    def next(self) -> str:
        if not self.more():
            raise CliError(INCOMPLETE)
        word = self.tokens[self.i][0]
        self.i += 1
        return word

    # -- typed words --------------------------------------------------------------------------
    def keyword(self, *choices: str) -> str:
        """The one choice the next word abbreviates; Invalid, Ambiguous or Incomplete otherwise."""
        if not self.more():
            raise CliError(INCOMPLETE)
        word = self.peek() or ""
        found = match_keyword(word, choices)
        if found is None:
            if [c for c in choices if c.startswith(word.lower())]:
                raise CliError(f'% Ambiguous command:  "{self.line.strip()}"')
            raise self.invalid()
        self.i += 1
        return found

    def optional(self, *choices: str) -> str | None:
        """Like keyword() but None at the end of the line."""
        return self.keyword(*choices) if self.more() else None

    def integer(self, low: int, high: int) -> int:
        if not self.more():
            raise CliError(INCOMPLETE)
        word = self.peek() or ""
        if not word.isdigit() or not low <= int(word) <= high:
            raise self.invalid()
        self.i += 1
        return int(word)

    def rest(self) -> str:
        """The rest of the line as typed (a description, a VLAN name); consumes it."""
        if not self.more():
            raise CliError(INCOMPLETE)
        text = self.line[self.column() :].strip()
        self.i = len(self.tokens)
        return text

    def interface(self) -> str:
        """An interface name, ``Gi1/0/13`` or ``gi 1/0/13``; returns the long name."""
        if not self.more():
            raise CliError(INCOMPLETE)
        column = self.column()
        word = self.next()
        if re.fullmatch(r"[A-Za-z][A-Za-z-]*", word):  # a type alone: its number follows after a space
            if not self.more():
                _type_of(word, column)
                raise CliError(INCOMPLETE)
            if (self.peek() or "")[0].isdigit():
                word += self.next()
        try:
            return parse_port(word).long
        except ValueError:
            raise CliError(INVALID, column) from None


def match_keyword(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The unique choice ``word`` abbreviates (an exact match wins), else None."""
    word = word.lower()
    if word in choices:
        return word
    found = [c for c in choices if c.startswith(word)]
    return found[0] if len(found) == 1 else None


def _type_of(word: str, column: int) -> None:
    """``interface Po`` is incomplete; ``interface Foo`` is invalid at the word."""
    try:
        parse_port(word + "1")
    except ValueError:
        raise CliError(INVALID, column) from None
