"""The IOS command interpreter: one per SSH session, a view of the one model.

Modes: user exec ``>``, privileged ``#`` (``enable`` with the secret), ``configure terminal`` and its
sub-modes (``config-if``, ``config-if-range``, ``config-vlan``). Configuration lines go through
``simlab.ios.config`` (the parser booting uses) under ``lab.lock``, then ``lab.changed()``.
There is no ``--More--`` paging: every session behaves as after ``terminal length 0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from simlab.ios.config import GLOBAL, Mode, apply_line
from simlab.ios.show import show
from simlab.ios.words import INCOMPLETE, INVALID, CliError, Words
from simlab.model.lab import Lab
from simlab.model.switch import SwitchStack

_EXEC = ("enable", "exit", "logout", "quit", "show", "terminal", "ping")
_PRIV = ("configure", "disable", "enable", "exit", "logout", "quit", "show", "terminal", "write", "copy")


class IosCli:
    """Implements ``simlab.faces.sshserver.Shell`` for one switch stack."""

    def __init__(
        self,
        lab: Lab,
        stack: SwitchStack,
        enable_secret: str | None,
        username: str = "admin",
        changed: Callable[[], None] | None = None,
    ) -> None:
        self.lab, self.stack, self.enable_secret, self.username = lab, stack, enable_secret, username
        self._changed = changed or lab.changed
        self.echo = True
        self.closed = False
        self.privileged = False
        self.mode: Mode | None = None  # None outside configuration mode
        self._password_tries = 0  # > 0 while `enable` waits for the secret

    # -- Shell protocol ---------------------------------------------------------------------
    def banner(self) -> str:
        return "\n"

    def prompt(self) -> str:
        if self._password_tries:
            return "Password: "
        with self.lab.lock:
            host = self.stack.hostname
        if self.mode is not None:
            return f"{host}({self.mode.name})#"
        return f"{host}#" if self.privileged else f"{host}>"

    def feed(self, line: str) -> str:
        if self._password_tries:
            return self._check_secret(line)
        if not line.strip():
            return ""
        prompt = self.prompt()
        try:
            if self.mode is not None:
                return self._config(line)
            return self._exec(Words(line))
        except CliError as exc:
            caret = "" if exc.column is None else " " * (len(prompt) + exc.column) + "^\n"
            if exc.column is not None or exc.message == INCOMPLETE:  # IOS leaves a blank line after these
                return f"{caret}{exc.message}\n\n"
            return f"{exc.message}\n"

    # -- exec and privileged exec -----------------------------------------------------------
    def _exec(self, w: Words) -> str:
        word = w.keyword(*(_PRIV if self.privileged else _EXEC))
        if word in ("exit", "logout", "quit"):
            w.end()
            self.closed = True
            return ""
        if word == "terminal":
            w.keyword("length", "width", "monitor", "no")
            w.rest() if w.more() else None
            return ""
        if word == "show":
            if not self.privileged and (w.peek() or "").lower().startswith("ru"):
                raise w.invalid()  # running-config needs privileged mode
            command, _, pipe = w.line.partition("|")
            w.line, w.tokens = command, [t for t in w.tokens if t[1] < len(command)]
            with self.lab.lock:
                output = show(self.lab, self.stack, w)
            return _filter(output, pipe, len(command) + 1) if pipe else output
        if word == "enable":
            w.end()
            if self.privileged:
                return ""
            if self.enable_secret is None:
                return "% No password set\n"
            self._password_tries, self.echo = 1, False
            return ""
        if word == "disable":
            w.end()
            self.privileged = False
            return ""
        if word == "configure":
            w.optional("terminal")
            w.end()
            self.mode = GLOBAL
            return "Enter configuration commands, one per line.  End with CNTL/Z.\n"
        if word in ("write", "copy"):
            w.rest() if w.more() else None
            return "Building configuration...\n[OK]\n"
        raise CliError(INVALID, 0)  # ping: the twin has no data plane to ping from

    def _check_secret(self, secret: str) -> str:
        if self.enable_secret is not None and secret == self.enable_secret:
            self._password_tries, self.echo, self.privileged = 0, True, True
            return ""
        if self._password_tries >= 3:
            self._password_tries, self.echo = 0, True
            return "% Bad secrets\n\n"
        self._password_tries += 1
        return ""

    # -- configuration ----------------------------------------------------------------------
    def _config(self, line: str) -> str:
        assert self.mode is not None
        w = Words(line)
        first = (w.peek() or "").lower()
        if first == "end":
            w.next()
            w.end()
            self.mode = None
            return ""
        if first == "do":
            w.next()
            offset = w.column()
            try:
                return self._exec(Words(line[offset:]))
            except CliError as exc:
                if exc.column is not None:
                    exc.column += offset
                raise
        if first == "exit" and self.mode == GLOBAL:
            w.next()
            w.end()
            self.mode = None
            return ""
        with self.lab.lock:
            self.mode = apply_line(self.stack, self.mode, line.strip())
        self._changed()
        return ""


def _filter(output: str, pipe: str, column: int) -> str:
    """``| include|exclude|begin|section REGEX``, as IOS filters show output."""
    w = Words(pipe)
    try:
        how = w.keyword("include", "exclude", "begin", "section")
        pattern = re.compile(w.rest())
    except CliError as exc:
        raise CliError(exc.message, None if exc.column is None else column + exc.column) from None
    except re.error:
        raise CliError(INVALID, column + w.tokens[-1][1]) from None
    lines = output.split("\n")
    if how == "include":
        kept = [line for line in lines if pattern.search(line)]
    elif how == "exclude":
        kept = [line for line in lines if not pattern.search(line)]
    elif how == "begin":
        start = next((i for i, line in enumerate(lines) if pattern.search(line)), len(lines))
        kept = lines[start:]
    else:  # section: matching top-level lines and the indented lines under them
        kept, inside = [], False
        for line in lines:
            if line[:1] not in (" ", ""):
                inside = bool(pattern.search(line))
            if inside and line:
                kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n"


def exec_once(cli: IosCli, command: str) -> str:
    """``ssh switch show version``: one command in a fresh session, as IOS runs exec requests."""
    return cli.feed(command)
