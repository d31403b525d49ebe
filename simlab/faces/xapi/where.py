"""xapi's filter expressions for ``get_all_records_where``: ``field "power_state"="Running" and not ...``.

Grammar (xapi's Db_filter): ``expr := term ("or" term)*``, ``term := factor ("and" factor)*``,
``factor := "not" factor | "(" expr ")" | "true" | "false" | value ("=" | "<>") value``,
``value := field "NAME" | "LITERAL"``. Field values compare as xapi stores them: strings, with
booleans as ``true``/``false`` and numbers in decimal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simlab.faces.xapi.wire import XapiError

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op><>|=|\(|\))|(?P<word>[A-Za-z_]+))')


def _tokens(expr: str) -> list[str]:
    out, pos = [], 0
    while pos < len(expr.rstrip()):
        match = _TOKEN.match(expr, pos)
        if match is None:
            raise XapiError("INVALID_VALUE", "expr", expr)
        out.append(match.group(match.lastgroup or "word"))
        pos = match.end()
    return out


def _stored(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr, self.tokens, self.pos = expr, _tokens(expr), 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, want: str | None = None) -> str:
        token = self._peek()
        if token is None or (want is not None and token.lower() != want):
            raise XapiError("INVALID_VALUE", "expr", self.expr)
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._peek() is not None:
            raise XapiError("INVALID_VALUE", "expr", self.expr)
        return predicate

    def _or(self) -> Predicate:
        parts = [self._and()]
        while (self._peek() or "").lower() == "or":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda r: any(p(r) for p in parts)

    def _and(self) -> Predicate:
        parts = [self._not()]
        while (self._peek() or "").lower() == "and":
            self._take()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else lambda r: all(p(r) for p in parts)

    def _not(self) -> Predicate:
        token = (self._peek() or "").lower()
        if token == "not":
            self._take()
            inner = self._not()
            return lambda r: not inner(r)
        if token == "(":
            self._take()
            inner = self._or()
            self._take(")")
            return inner
        if token in ("true", "false"):
            self._take()
            return lambda r, v=token == "true": v
        left = self._value()
        op = self._take()
        if op not in ("=", "<>"):
            raise XapiError("INVALID_VALUE", "expr", self.expr)
        right = self._value()
        if op == "=":
            return lambda r: left(r) == right(r)
        return lambda r: left(r) != right(r)

    def _value(self) -> Callable[[dict[str, Any]], str]:
        token = self._take()
        if token.lower() == "field":
            name = _unquote(self._take())
            return lambda r: _stored(r.get(name, ""))
        if token.startswith('"'):
            literal = _unquote(token)
            return lambda r: literal
        raise XapiError("INVALID_VALUE", "expr", self.expr)


def _unquote(token: str) -> str:
    if not (token.startswith('"') and token.endswith('"')):
        raise XapiError("INVALID_VALUE", "expr", token)
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def compile_where(expr: str) -> Predicate:
    """A predicate over records; INVALID_VALUE for an expression xapi would not parse."""
    if not isinstance(expr, str):
        raise XapiError("FIELD_TYPE_ERROR", "expr")
    return _Parser(expr).parse()
