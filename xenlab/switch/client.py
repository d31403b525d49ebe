"""A switch session over SSH with netmiko: bounded timeouts, one session per device per process.

Every failure to reach, log in to or enable a switch becomes one ``DeviceError`` (``Unreachable``,
``LoginFailed``, ``SwitchError``) whose message
names the device and says what failed, with secrets redacted; nothing waits longer than the
inventory's ``timeout_s``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from pathlib import Path
from typing import Any

from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from xenlab.errors import DeviceError, LoginFailed, Unreachable
from xenlab.inventory.schema import Switch
from xenlab.inventory.secrets import redact
from xenlab.switch.parse import parse_output
from xenlab.tcp import no_delay

# Paramiko logs every failed connection with a traceback; the SwitchError says it in one line.
logging.getLogger("paramiko").setLevel(logging.CRITICAL)


class SwitchError(DeviceError):
    """A switch refused or did not answer a command."""


# How IOS refuses a command: the line it prints instead of the output.
IOS_REFUSALS = ("% Invalid input", "% Incomplete command", "% Ambiguous command", "% Unknown command")


def ios_refusal(output: str) -> str | None:
    """The line IOS refused the command with, or None when the output is the command's."""
    return next((line.strip() for line in output.splitlines() if line.strip().startswith(IOS_REFUSALS)), None)


class SwitchClient:
    def __init__(self, switch: Switch, known_hosts: Path | None = None) -> None:
        self.switch = switch
        self.known_hosts = known_hosts  # pinned host keys: an unknown or changed key is refused
        self.name = switch.name
        self.raw: dict[str, str] = {}  # command -> output, kept as report evidence
        self._conn: Any = None
        self._lock = threading.Lock()

    def connect(self) -> SwitchClient:
        sw = self.switch
        where = f"{sw.name} ({sw.address}:{sw.port})"
        try:
            self._conn = ConnectHandler(
                device_type=sw.platform,
                host=str(sw.address),
                port=sw.port,
                username=sw.credentials.username,
                password=sw.credentials.password.reveal(),
                secret=sw.credentials.enable_secret.reveal() if sw.credentials.enable_secret else "",
                conn_timeout=sw.timeout_s,
                auth_timeout=sw.timeout_s,
                banner_timeout=sw.timeout_s,
                timeout=sw.timeout_s,
                read_timeout_override=sw.timeout_s,
                allow_agent=False,
                use_keys=False,
                system_host_keys=False,
                ssh_strict=self.known_hosts is not None,
                alt_host_keys=self.known_hosts is not None,
                alt_key_file=str(self.known_hosts or ""),
            )
        except NetmikoAuthenticationException:
            raise LoginFailed(where, f"login failed for user {sw.credentials.username!r}") from None
        except NetmikoTimeoutException as exc:
            # netmiko reports every SSH-level refusal as a timeout; the host key ones are not.
            if "does not match" in str(exc):
                raise LoginFailed(where, f"host key does not match the one pinned in {self.known_hosts}") from None
            if "not found in known_hosts" in str(exc) and self.known_hosts and not self.known_hosts.is_file():
                raise LoginFailed(
                    where, f"known_hosts file {self.known_hosts} (ssh_known_hosts) does not exist"
                ) from None
            if "not found in known_hosts" in str(exc):
                raise LoginFailed(where, f"host key is not pinned in {self.known_hosts}") from None
            raise Unreachable(
                where, f"unreachable (connection refused, or no SSH answer within {sw.timeout_s:g}s)"
            ) from None
        except Exception as exc:  # refused, reset, bad banner: one line, no traceback
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise Unreachable(where, f"cannot connect: {redact(reason)}") from None
        no_delay(self._conn.remote_conn_pre.get_transport())
        if sw.credentials.enable_secret is not None:
            try:
                entered = self._enable(sw.credentials.enable_secret.reveal())
            except (ValueError, ReadTimeout, OSError, EOFError):
                entered = False
            if not entered:
                self.abort()
                raise LoginFailed(where, "enable failed (wrong enable secret?)") from None
        return self

    def _enable(self, secret: str) -> bool:
        """`enable` that fails as soon as IOS asks for the secret again.

        netmiko's own enable() waits for the privileged prompt after sending the secret, so a
        wrong secret (IOS answers with another ``Password:``) costs two full read timeouts.
        """
        conn = self._conn
        if conn.check_enable_mode():
            return True
        privileged = re.escape(conn.base_prompt) + "#"
        answer = rf"{privileged}|[Pp]assword:|^%.*$"
        conn.write_channel(conn.normalize_cmd("enable"))
        output = conn.read_until_pattern(pattern=answer, re_flags=re.M, read_timeout=self.switch.timeout_s)
        if re.search("[Pp]assword:", output):
            conn.write_channel(conn.normalize_cmd(secret))
            output = conn.read_until_pattern(pattern=answer, re_flags=re.M, read_timeout=self.switch.timeout_s)
        return re.search(privileged, output) is not None

    def command(self, command: str) -> str:
        """Raw output of one command (kept in ``raw``)."""
        if self._conn is None:
            raise SwitchError(self.name, "not connected")
        with self._lock:
            try:
                # The prompt is known from login (exec mode does not change it): no find_prompt round trip.
                output = self._conn.send_command(command, read_timeout=self.switch.timeout_s, auto_find_prompt=False)
            except (ReadTimeout, OSError, EOFError) as exc:
                raise SwitchError(self.name, f"{command!r} got no answer: {type(exc).__name__}") from None
        refusal = ios_refusal(output)
        if refusal is not None:
            raise SwitchError(self.name, f"the switch refused {command!r}: {refusal}")
        self.raw[command] = output
        return output

    def parsed(self, command: str) -> list[dict[str, Any]]:
        """Rows for a show command (ntc-templates, or xenlab's templates where ntc has none)."""
        return parse_output(command, self.command(command))

    def abort(self) -> None:
        """Drop the connection without netmiko's polite `exit`, which waits on a session stuck at a prompt."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.paramiko_cleanup()

    def configure(self, lines: list[str]) -> str:
        """Configuration lines sent as netmiko sends them (fencing by switch ports uses it)."""
        if self._conn is None:
            raise SwitchError(self.name, "not connected")
        with self._lock:
            return self._conn.send_config_set(lines, read_timeout=self.switch.timeout_s)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # the session may already be gone
                conn.disconnect()


_SESSIONS: dict[tuple[str, str, int], SwitchClient | DeviceError] = {}
_SESSIONS_LOCK = threading.Lock()


def session(switch: Switch, known_hosts: Path | None = None) -> SwitchClient:
    """The process's one session to this switch; a failed attempt is remembered and re-raised (fail fast)."""
    key = (switch.name, str(switch.address), switch.port)
    with _SESSIONS_LOCK:
        found = _SESSIONS.get(key)
        if found is None:
            try:
                found = SwitchClient(switch, known_hosts).connect()
            except DeviceError as exc:
                found = exc
            _SESSIONS[key] = found
    if isinstance(found, DeviceError):
        raise type(found)(found.device, found.problem)
    return found


def close_sessions() -> None:
    with _SESSIONS_LOCK:
        for found in _SESSIONS.values():
            if isinstance(found, SwitchClient):
                found.close()
        _SESSIONS.clear()
