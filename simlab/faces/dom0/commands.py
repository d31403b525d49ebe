"""A dom0 shell's commands: the ones testinfra and the checks send, answered from the model.

``ip`` and ``ping`` run for real inside the host's namespace when the data plane is up
(``ip link set ethX up|down`` on a NIC goes to the model, which the data plane follows);
without it, ``ip`` answers from the model and ``ping`` fails with the reason.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable

from simlab.faces.dom0 import files, iscsiadm, ovs
from simlab.model.desired import Port, desired_state
from simlab.model.lab import Lab
from simlab.model.netnames import Names
from xenlab import netns

Result = tuple[int, str, str]
REAL_TIMEOUT_S = 30
SERVICES_UNITS = {"xapi", "iscsid", "multipathd", "chronyd"}


class Dom0:
    def __init__(self, lab: Lab, host: str, names: Names) -> None:
        self.lab, self.host_name, self.names = lab, host, names
        self.ns = names.host_ns(host)
        self.handlers: dict[str, Callable[[list[str]], Result]] = {
            "uname": self._uname,
            "hostname": lambda a: (0, f"{self.host_name}\n", ""),
            "cat": self._cat,
            "test": self._test,
            "[": self._test,
            "stat": self._stat,
            "command": self._command_v,
            "which": self._which,
            "echo": lambda a: (0, " ".join(a) + "\n", ""),
            "true": lambda a: (0, "", ""),
            "systemctl": self._systemctl,
            "rpm": self._rpm,
            "ovs-appctl": self._ovs_appctl,
            "ovs-vsctl": self._ovs_vsctl,
            "iscsiadm": self._iscsiadm,
            "ip": self._ip,
            "ping": self._ping,
            "grep": self._grep_files,
        }

    @property
    def host(self):  # -> Host
        return self.lab.hosts[self.host_name]

    # -- the shell ------------------------------------------------------------------------------
    def run(self, command: str) -> Result:
        try:
            words = shlex.split(command)
        except ValueError as exc:
            return 2, "", f"bash: syntax error: {exc}\n"
        words = [w for w in words if w not in ("2>&1", "2>/dev/null", ">/dev/null")]
        stages = _split_pipeline(words)
        rc, out, err = 0, "", ""
        for i, stage in enumerate(stages):
            if not stage:
                return 2, "", "bash: syntax error near unexpected token `|'\n"
            if i and _basename(stage[0]) == "grep":
                rc, out = _grep(stage[1:], out)
                continue
            rc, out, err = self._one(stage)
        return rc, out, err

    def _one(self, words: list[str]) -> Result:
        name = _basename(words[0])
        handler = self.handlers.get(name)
        if handler is None or (
            words[0].startswith("/")
            and files.COMMANDS.get(name, "") != words[0]
            and not words[0].endswith(f"bin/{name}")
        ):
            return 127, "", f"bash: {words[0]}: command not found\n"
        with self.lab.lock:
            self.lab.counters["dom0.command"] += 1
        return handler(words[1:])

    # -- files and system -------------------------------------------------------------------------
    def _uname(self, args: list[str]) -> Result:
        fields = {"-s": "Linux", "-n": self.host_name, "-r": "4.19.0+1", "-m": "x86_64", "-o": "GNU/Linux"}
        if not args:
            return 0, "Linux\n", ""
        if args == ["-a"]:
            return 0, f"Linux {self.host_name} 4.19.0+1 #1 SMP x86_64 x86_64 x86_64 GNU/Linux\n", ""
        if all(a in fields for a in args):
            return 0, " ".join(fields[a] for a in args) + "\n", ""
        return 1, "", f"uname: invalid option -- '{args[0].lstrip('-')}'\n"

    def _read(self, path: str) -> str | None:
        with self.lab.lock:
            return files.read_file(self.lab, self.host, path)

    def _cat(self, args: list[str]) -> Result:
        out, err, rc = "", "", 0
        for path in [a for a in args if a != "--"]:
            content = self._read(path)
            if content is None:
                kind = "Is a directory" if path.rstrip("/") in files.DIRECTORIES else "No such file or directory"
                err, rc = err + f"cat: {path}: {kind}\n", 1
            else:
                out += content
        return rc, out, err

    def _grep_files(self, args: list[str]) -> Result:
        words = [a for a in args if a != "--"]
        options = [a for a in words if a.startswith("-")]
        operands = [a for a in words if not a.startswith("-")]
        if len(operands) < 2:
            return 2, "", "grep: simlab supports `grep [-q] PATTERN FILE`\n"
        content = self._read(operands[1])
        if content is None:
            silent = any("s" in o for o in options)
            return 2, "", "" if silent else f"grep: {operands[1]}: No such file or directory\n"
        rc, out = _grep([*options, operands[0]], content)
        return rc, out, ""

    def _test(self, args: list[str]) -> Result:
        args = [a for a in args if a != "]"]
        if len(args) != 2:
            return 2, "", "bash: test: simlab supports `test -e|-f|-d|-L|-S|-x PATH`\n"
        flag, path = args
        is_dir = path.rstrip("/") in files.DIRECTORIES or path == "/"
        is_file = self._read(path) is not None or path in files.COMMANDS.values()
        ok = {
            "-e": is_dir or is_file,
            "-f": is_file,
            "-d": is_dir,
            "-x": path in files.COMMANDS.values(),
            "-L": False,
            "-S": False,
            "-r": is_dir or is_file,
            "-s": is_file,
        }.get(flag)
        if ok is None:
            return 2, "", f"bash: test: {flag}: unary operator expected\n"
        return (0 if ok else 1), "", ""

    def _stat(self, args: list[str]) -> Result:
        fmt = next((a[2:] if a.startswith("-c") and len(a) > 2 else None for a in args if a.startswith("-c")), None)
        fmt = fmt or next((a.split("c", 1)[1] for a in args if a.startswith("-L") and "c" in a and len(a) > 3), None)
        if fmt is None and "-c" in args:
            fmt = args[args.index("-c") + 1]
        if fmt is None and "-Lc" in args:
            fmt = args[args.index("-Lc") + 1]
        path = args[-1]
        content = self._read(path)
        is_dir = path.rstrip("/") in files.DIRECTORIES
        if content is None and not is_dir:
            return 1, "", f"stat: cannot statx '{path}': No such file or directory\n"
        values = {
            "%a": "755" if is_dir else "644",
            "%U": "root",
            "%G": "root",
            "%u": "0",
            "%g": "0",
            "%s": str(len(content or "") or 4096),
            "%F": "directory" if is_dir else "regular file",
            "%Y": "1700000000",
            "%n": path,
            "%N": f"'{path}'",
        }
        out = fmt or "%n"
        for key, value in values.items():
            out = out.replace(key, value)
        return 0, out + "\n", ""

    def _command_v(self, args: list[str]) -> Result:
        if args[:1] != ["-v"] or len(args) != 2:
            return 2, "", "bash: command: simlab supports `command -v NAME`\n"
        path = files.COMMANDS.get(args[1])
        return (0, f"{path}\n", "") if path else (1, "", "")

    def _which(self, args: list[str]) -> Result:
        path = files.COMMANDS.get(args[0]) if args else None
        if path and path.startswith("/"):
            return 0, f"{path}\n", ""
        return 1, "", f"which: no {args[0] if args else ''} in (/usr/sbin:/usr/bin:/sbin:/bin)\n"

    def _systemctl(self, args: list[str]) -> Result:
        args = [a for a in args if not a.startswith("--")]
        if not args:
            return 1, "", "systemctl: simlab supports is-active, is-enabled, status, list-unit-files\n"
        verb, units = args[0], [a.removesuffix(".service") for a in args[1:]]
        with self.lab.lock:
            services = dict(self.host.services)
        if verb == "list-unit-files":
            rows = "".join(f"{name}.service enabled\n" for name in sorted(services))
            return 0, f"UNIT FILE STATE\n{rows}\n{len(services)} unit files listed.\n", ""
        if verb not in ("is-active", "is-enabled", "status") or not units:
            return 1, "", f"Unknown command verb {verb}.\n"
        unit = units[0]
        if verb == "is-enabled":
            if unit not in services:
                return 1, "", f"Failed to get unit file state for {unit}.service: No such file or directory\n"
            return 0, "enabled\n", ""
        running = services.get(unit, False)
        if verb == "is-active":
            return (0, "active\n", "") if running else (3, "inactive\n", "")
        if unit not in services:
            return 4, "", f"Unit {unit}.service could not be found.\n"
        state = "active (running)" if running else "inactive (dead)"
        return (0 if running else 3), f"* {unit}.service\n   Loaded: loaded\n   Active: {state}\n", ""

    def _rpm(self, args: list[str]) -> Result:
        quiet = "--quiet" in args
        names = [a for a in args if not a.startswith("-")]
        if "-q" not in args or not names:
            return 1, "", "rpm: simlab supports `rpm -q [--quiet] PACKAGE`\n"
        out, rc = "", 0
        for name in names:
            version = files.PACKAGES.get(name)
            if version is None:
                rc, out = 1, out + f"package {name} is not installed\n"
            else:
                out += f"{name}-{version}.x86_64\n"
        return rc, "" if quiet else out, ""

    # -- model-backed networking ------------------------------------------------------------------
    def _ovs_appctl(self, args: list[str]) -> Result:
        if not args or args[0] != "bond/show":
            return (
                2,
                "",
                f'"{args[0] if args else ""}" is not a valid command\novs-appctl: ovs-vswitchd: '
                "server returned an error\n",
            )
        with self.lab.lock:
            return ovs.bond_show(self.lab, self.host, args[1] if len(args) > 1 else None)

    def _ovs_vsctl(self, args: list[str]) -> Result:
        with self.lab.lock:
            return ovs.vsctl(self.lab, self.host, args)

    def _iscsiadm(self, args: list[str]) -> Result:
        with self.lab.lock:
            return iscsiadm.run(self.lab, self.host, args)

    # -- ip and ping: real packets in the host's namespace --------------------------------------------
    def _real(self) -> bool:
        return netns.exists(self.ns)

    def _ip(self, args: list[str]) -> Result:
        nic_change = _nic_admin_change(args, set(self.host.nics))
        if nic_change is not None:
            nic, up = nic_change
            with self.lab.lock:
                self.host.nics[nic].admin_up = up
            self.lab.changed()
            return 0, "", ""
        if self._real():
            return _run(["ip", "netns", "exec", self.ns, "ip", *args])
        return self._ip_from_model(args)

    def _ping(self, args: list[str]) -> Result:
        if not self._real():
            return 126, "", "ping: cannot send packets: simlab runs without its data plane (it needs root)\n"
        if "-c" not in args and not any(a.startswith("-c") for a in args):
            args = ["-c", "3", *args]  # a dom0 ping without a count would never end on this channel
        return _run(["ip", "netns", "exec", self.ns, "ping", *args])

    def _ports(self) -> list[Port]:
        with self.lab.lock:
            want = desired_state(self.lab, self.names)
        return [p for p in want.ports.values() if p.ns == self.ns]

    def _ip_from_model(self, args: list[str]) -> Result:
        as_json = any(a in ("-j", "--json", "-json") for a in args)
        words = [a for a in args if not a.startswith("-")]
        obj, verb = (words + ["", ""])[:2]
        name = next((w for w in words[2:] if w != "dev"), None)
        ports = [p for p in self._ports() if name in (None, p.name)]
        if name is not None and not ports:
            return 1, "", f'Device "{name}" does not exist.\n'
        if obj in ("link", "l", "addr", "address", "a") and verb in ("show", "list", "") or obj in ("a", "addr"):
            rows = []
            for index, port in enumerate(ports, start=2):
                row = {
                    "ifindex": index,
                    "ifname": port.name,
                    "flags": _flags(port),
                    "mtu": port.mtu,
                    "operstate": "UP" if port.up and port.sw_up else "DOWN",
                    "address": port.mac,
                }
                if obj.startswith("a"):
                    row["addr_info"] = [
                        {"family": "inet", "local": a.split("/")[0], "prefixlen": int(a.split("/")[1])}
                        for a in sorted(port.addrs)
                    ]
                rows.append(row)
            if as_json:
                return 0, json.dumps(rows) + "\n", ""
            return 0, "".join(_ip_text(r) for r in rows), ""
        return 1, "", "simlab: without the data plane, ip answers only `ip [-j] link|addr show [dev] NAME`\n"


def _flags(port: Port) -> list[str]:
    flags = ["BROADCAST", "MULTICAST"]
    if port.up:
        flags.append("UP")
        flags.append("LOWER_UP" if port.sw_up else "NO-CARRIER")
    return flags


def _ip_text(row: dict) -> str:
    text = (
        f"{row['ifindex']}: {row['ifname']}: <{','.join(row['flags'])}> mtu {row['mtu']} state {row['operstate']}\n"
        f"    link/ether {row['address']} brd ff:ff:ff:ff:ff:ff\n"
    )
    for addr in row.get("addr_info", []):
        text += f"    inet {addr['local']}/{addr['prefixlen']} scope global {row['ifname']}\n"
    return text


def _nic_admin_change(args: list[str], nics: set[str]) -> tuple[str, bool] | None:
    words = [a for a in args if a != "dev"]
    if len(words) == 4 and words[0] == "link" and words[1] == "set" and words[2] in nics and words[3] in ("up", "down"):
        return words[2], words[3] == "up"
    return None


def _run(argv: list[str]) -> Result:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=REAL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return 124, "", f"{argv[4]}: timed out after {REAL_TIMEOUT_S} s\n"
    return proc.returncode, proc.stdout, proc.stderr


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _split_pipeline(words: list[str]) -> list[list[str]]:
    stages: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    return stages


def _grep(args: list[str], text: str) -> tuple[int, str]:
    import re

    quiet = "-q" in args
    patterns = [a for a in args if not a.startswith("-")]
    if not patterns:
        return 2, ""
    hits = [line for line in text.splitlines() if re.search(patterns[0], line)]
    return (0 if hits else 1), "" if quiet else "".join(f"{h}\n" for h in hits)
