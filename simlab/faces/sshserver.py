"""A small SSH server for the twin's faces: password login, interactive shells and exec requests.

A face describes *what* a device says; this module does the SSH part. Usage::

    server = SshServer(
        twin, device="cisco-stack", address="127.18.1.1", port=2222,
        check_password=static_credentials("admin", password),
        shell=lambda username: MyShell(...),          # interactive sessions (optional)
        exec_command=lambda username, cmd: (0, "out\\n", ""),  # `ssh host cmd` (optional)
    )
    server.start()   # listening when it returns; one-line RuntimeError if it cannot bind
    server.stop()

Both handlers are plain synchronous callables run in a worker thread (they may take ``lab.lock``),
so a face's language stays testable without SSH. Every successful login counts
``lab.counters["ssh.login.<device>"]``. The host key is generated once into ``twin.state_dir``.

Interactive sessions are raw (``line_editor=False``): this module echoes what the client types
(except while ``shell.echo`` is False, e.g. at a password prompt), splits lines on CR, LF or CRLF,
handles backspace, and writes ``\\r\\n`` line ends, as a network device on a PTY does.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import asyncssh

from xenlab.inventory.loader import known_hosts_path

if TYPE_CHECKING:
    from simlab.twin import Twin

log = logging.getLogger("simlab.ssh")

ExecResult = tuple[int, str, str]  # exit status, stdout, stderr
PasswordCheck = Callable[[str, str], bool]


class Shell(Protocol):
    """One interactive session's language: lines in, text out."""

    echo: bool  # echo typed characters; False while reading a password
    closed: bool  # set by feed() when the session should end (`exit`, `logout`)

    def banner(self) -> str:
        """Text written once after login, before the first prompt ("" for none)."""
        ...

    def prompt(self) -> str:
        """The prompt, written with no newline after each command's output."""
        ...

    def feed(self, line: str) -> str:
        """Handle one line (without its line end); return the output (``\\n`` line ends)."""
        ...


ShellFactory = Callable[[str], Shell]  # username -> a new session
ExecHandler = Callable[[str, str], ExecResult]  # (username, command) -> result


def static_credentials(username: str, password: str) -> PasswordCheck:
    """A password check for one account, compared in constant time."""

    def check(user: str, given: str) -> bool:
        return hmac.compare_digest(user.encode(), username.encode()) & hmac.compare_digest(
            given.encode(), password.encode()
        )

    return check


def host_key(state_dir: Path, device: str) -> asyncssh.SSHKey:
    """The device's host key, generated on first use and kept, so clients see a stable key."""
    path = state_dir / "ssh" / f"{device}_host_ed25519"
    if path.exists():
        return asyncssh.read_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)  # never readable by others
    with os.fdopen(fd, "wb") as file:
        file.write(key.export_private_key())
    return key


def known_hosts_update(address: str, port: int, key: asyncssh.SSHKey) -> Callable[[bytes | None], bytes]:
    """known_hosts content with this endpoint's entry replaced (other endpoints' lines kept)."""
    name = address if port == 22 else f"[{address}]:{port}"
    kind, blob = key.export_public_key("openssh").decode().split()[:2]
    entry = f"{name} {kind} {blob}\n"

    def update(old: bytes | None) -> bytes:
        lines = old.decode().splitlines(keepends=True) if old else []
        return "".join([line for line in lines if line.split(" ", 1)[0] != name] + [entry]).encode()

    return update


class _Server(asyncssh.SSHServer):
    def __init__(self, owner: SshServer) -> None:
        self._owner = owner
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._owner._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._owner._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        ok = self._owner.check_password(username, password)
        lab = self._owner.twin.lab
        with lab.lock:
            lab.counters[f"ssh.login.{self._owner.device}" if ok else f"ssh.login_failed.{self._owner.device}"] += 1
        return ok


class SshServer:
    """One SSH endpoint of the twin, served on ``twin.loop``."""

    def __init__(
        self,
        twin: Twin,
        device: str,
        address: str,
        port: int,
        check_password: PasswordCheck,
        shell: ShellFactory | None = None,
        exec_command: ExecHandler | None = None,
    ) -> None:
        if shell is None and exec_command is None:
            raise ValueError("an SSH server needs a shell, an exec handler, or both")
        self.twin, self.device, self.address, self.port = twin, device, address, port
        self.check_password = check_password
        self.shell, self.exec_command = shell, exec_command
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()

    @property
    def endpoint(self) -> str:
        return f"ssh://{self.address}:{self.port}"

    # -- lifecycle (called from any thread) --------------------------------------------------
    def start(self) -> None:
        key = host_key(self.twin.state_dir, self.device)
        known_hosts = known_hosts_path(self.twin.inventory)
        if known_hosts is not None:  # written once the whole twin is up (and owns its addresses)
            self.twin.publish(known_hosts, known_hosts_update(self.address, self.port, key))
        try:
            self._acceptor = self.twin.run(self._listen(key), timeout=30)
        except OSError as exc:
            raise RuntimeError(f"{self.device}: cannot listen on {self.address}:{self.port}: {exc.strerror}") from None

    def stop(self) -> None:
        if self._acceptor is None:
            return
        acceptor, self._acceptor = self._acceptor, None
        if self.twin.loop.is_running():
            self.twin.run(self._close(acceptor), timeout=10)

    async def _listen(self, key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            lambda: _Server(self),
            self.address,
            self.port,
            server_host_keys=[key],
            process_factory=self._session,
            line_editor=False,
            encoding="utf-8",
            login_timeout=30,
            keepalive_interval=0,
        )

    async def _close(self, acceptor: asyncssh.SSHAcceptor) -> None:
        acceptor.close()
        for conn in list(self._connections):
            conn.close()
        await acceptor.wait_closed()

    # -- sessions ----------------------------------------------------------------------------
    async def _session(self, process: asyncssh.SSHServerProcess) -> None:
        username = process.get_extra_info("username") or ""
        try:
            if process.command is not None:
                await self._exec(process, username, process.command)
            elif self.shell is not None:
                await self._interactive(process, self.shell(username))
            else:
                process.stderr.write("interactive login is not supported here\n")
                process.exit(1)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged, BrokenPipeError, ConnectionError):
            process.close()
        except Exception:  # a face bug must not kill the server; the client sees the session end
            log.exception("%s: session failed", self.device)
            process.exit(1)

    async def _exec(self, process: asyncssh.SSHServerProcess, username: str, command: str) -> None:
        if self.exec_command is None:
            process.stderr.write("exec requests are not supported here\n")
            process.exit(1)
            return
        loop = asyncio.get_running_loop()
        status, out, err = await loop.run_in_executor(None, self.exec_command, username, command)
        if out:
            process.stdout.write(out)
        if err:
            process.stderr.write(err)
        process.exit(status)

    async def _interactive(self, process: asyncssh.SSHServerProcess, shell: Shell) -> None:
        loop = asyncio.get_running_loop()

        def write(text: str) -> None:
            process.stdout.write(text.replace("\r\n", "\n").replace("\n", "\r\n"))

        write(shell.banner())
        write(shell.prompt())
        line: list[str] = []
        after_cr = False
        while not shell.closed:
            try:
                data = await process.stdin.read(4096)
            except asyncssh.TerminalSizeChanged:
                continue
            if not data:  # client closed its side
                break
            echo: list[str] = []
            for char in data:
                if char == "\n" and after_cr:  # the LF of a CRLF: the line already ended
                    after_cr = False
                    continue
                after_cr = char == "\r"
                if char in "\r\n":
                    if echo:
                        write("".join(echo))
                        echo = []
                    write("\r\n")
                    output = await loop.run_in_executor(None, shell.feed, "".join(line))
                    line = []
                    write(output)
                    if shell.closed:
                        break
                    write(shell.prompt())
                elif char in "\x08\x7f":
                    if line:
                        line.pop()
                        if shell.echo:
                            echo.append("\b \b")
                elif char == "\x03":  # Ctrl-C drops the line and prompts again
                    line = []
                    echo.append("^C\n" + shell.prompt())
                elif char.isprintable() or char == "\t":
                    line.append(char)
                    if shell.echo:
                        echo.append(char)
            if echo and not shell.closed:
                write("".join(echo))
        process.exit(0)


class SshServers:
    """A face made of one SSH server per device: they start together (all or none) and stop together."""

    def __init__(self) -> None:
        self.servers: list[SshServer] = []

    def start(self) -> None:
        started: list[SshServer] = []
        try:
            for server in self.servers:
                server.start()
                started.append(server)
        except BaseException:
            for server in started:
                server.stop()
            raise

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
