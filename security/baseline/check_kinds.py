"""Kinds of check a control can use: one small class each, registered in KINDS.

Each kind reads the host through a testinfra ``host`` (any backend: ssh, paramiko, local) and
returns an Outcome with evidence an evaluator can read: the file line, the command output.
``lab=True`` means the host is a lab namespace: kernel-global state (kernel.*/fs.* sysctls,
systemd units, auditd) is judged from configuration instead (see security/baseline/README.md).
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Protocol

# Where systemd-sysctl reads configuration, highest precedence first for files of the same name.
SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d")
LIVE_IN_LAB = ("net.",)  # per network namespace: real on a lab host
PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 28, "yearly": 365}  # monthly: the shortest month


@dataclass
class Outcome:
    passed: bool
    evidence: list[str] = field(default_factory=list)


class CheckKind(Protocol):
    def validate(self, params: dict[str, Any]) -> list[str]: ...
    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome: ...


def expand(host: Any, patterns: list[str]) -> list[str]:
    """Existing files matching shell globs on the host, in pattern order."""
    if not patterns:
        return []
    script = "for f in " + " ".join(shlex.quote(p).replace("*", "'*'") for p in patterns) + \
        '; do [ -f "$f" ] && echo "$f"; done; true'
    out = host.run(script).stdout.splitlines()
    seen: list[str] = []
    for line in out:
        if line and line not in seen:
            seen.append(line)
    return seen


def numbered_lines(host: Any, path: str) -> list[tuple[int, str]]:
    result = host.run(f"cat -- {shlex.quote(path)}")  # one round trip; a missing file reads as empty
    return list(enumerate(result.stdout.splitlines(), start=1)) if result.rc == 0 else []


RANGE = re.compile(r"^(\d+)\.\.(\d+)$")


def compare(found: str | None, expectation: str) -> bool:
    """`>= 8`, `<= 90`, `1..300` (inclusive), `== no`, `in a,b,c`, `present` (a bare keyword)."""
    if m := RANGE.match(expectation.strip()):
        try:
            return found is not None and int(m.group(1)) <= int(found.split()[0]) <= int(m.group(2))
        except (ValueError, IndexError):
            return False
    op, _, want = expectation.strip().partition(" ")
    want = want.strip()
    if op == "present":
        return found is not None
    if found is None:
        return False
    if op == "==":
        return found == want
    if op == "in":
        return found in [w.strip() for w in want.split(",")]
    try:
        value = int(found.split()[0])
    except (ValueError, IndexError):
        return False
    return value >= int(want) if op == ">=" else value <= int(want)


def valid_expectation(expectation: Any) -> bool:
    if not isinstance(expectation, str):
        return False
    if RANGE.match(expectation.strip()):
        return True
    op, _, want = expectation.strip().partition(" ")
    if op == "present":
        return not want
    if op in (">=", "<="):
        return want.strip().isdigit()
    return op in ("==", "in") and bool(want.strip())


def _need(params: dict[str, Any], *keys: str) -> list[str]:
    return [f"missing parameter {k!r}" for k in keys if not params.get(k)]


class ConfigValues:
    """key/value files (pwquality.conf, login.defs, auditd.conf): the last assignment wins, as the tools read them."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        out = _need(params, "files", "expect")
        if params.get("separator") not in ("=", " "):
            out.append("separator must be '=' or ' '")
        out += [f"expect.{k}: cannot read {v!r}; expected '>= N', '<= N', 'N..M', '== x', 'in a,b' or 'present'"
                for k, v in (params.get("expect") or {}).items() if not valid_expectation(v)]
        return out

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        found: dict[str, tuple[str | None, str]] = {}
        for path in params["files"]:
            for n, raw in numbered_lines(host, path):
                line = raw.split("#", 1)[0].strip()
                if not line:
                    continue
                if params["separator"] == "=":
                    key, sep, value = line.partition("=")
                    value_or_none = value.strip() if sep else None
                else:
                    key, *rest = line.split(None, 1)
                    value_or_none = rest[0].strip() if rest else None
                key = key.strip()
                if key in params["expect"]:
                    found[key] = (value_or_none, f"{path}:{n}: {raw.strip()}")
        passed, evidence = True, []
        for key, expectation in params["expect"].items():
            value, where = found.get(key, (None, f"{key} not set in {', '.join(params['files'])}"))
            ok = key in found and (expectation.strip() == "present" or compare(value, expectation))
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} ({key} {expectation}) {where}")
        return Outcome(passed, evidence)


class FileLines:
    """Every regex matches a line of the files (globs allowed); with any_of, at least one does."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        out = _need(params, "files", "lines")
        for rx in params.get("lines") or []:
            try:
                re.compile(rx)
            except re.error as exc:
                out.append(f"lines: bad regex {rx!r}: {exc}")
        return out

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        files = expand(host, params["files"])
        contents = [(path, n, line) for path in files for n, line in numbered_lines(host, path)]
        evidence, hits = [], 0
        if not files:
            evidence.append(f"no file matches {' '.join(params['files'])}")
        for rx in params["lines"]:
            match = next((f"{p}:{n}: {line.strip()}" for p, n, line in contents if re.search(rx, line)), None)
            hits += match is not None
            evidence.append(f"ok {match}" if match else f"FAIL no line matches /{rx}/")
        passed = hits > 0 if params.get("any_of") else hits == len(params["lines"])
        if params.get("services_any") and not lab:
            running = [s for s in params["services_any"] if host.service(s).is_running]
            evidence.append(f"running: {', '.join(running)}" if running
                            else f"FAIL none of {', '.join(params['services_any'])} is running")
            passed &= bool(running)
        return Outcome(passed, evidence)


class CommandEmpty:
    """A command that prints nothing (and exits 0) when the host complies; its output is the evidence."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "command")

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        result = host.run(params["command"])
        # stdout only: stderr carries the SSH banner and login noise, shown only when the command failed.
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        passed = result.rc == 0 and not lines
        evidence = lines or [f"no finding (exit {result.rc})"]
        if result.rc != 0:
            evidence += [f"exit {result.rc}: {line}" for line in result.stderr.splitlines()[-5:]]
        if params.get("evidence_command"):
            evidence += host.run(params["evidence_command"]).stdout.splitlines()
        return Outcome(passed, evidence)


# The config file of the sshd listening on port 22 here, when it was started with `-f` (the lab's
# hosts are); empty for the default /etc/ssh/sshd_config.
RUNNING_SSHD_CONFIG = (
    "pid=$(ss -Htlnp 'sport = :22' 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2); "
    # sshd rewrites its title ("sshd: /usr/sbin/sshd -D -f FILE [listener] …"): read -f from the words.
    "[ -n \"$pid\" ] && tr '\\0' ' ' < /proc/$pid/cmdline | grep -oE '(^| )-f +[^ ]+' | head -n1 | awk '{print $2}'; true"
)


class Sshd:
    """The running server's effective configuration (`sshd -T`), so Include drop-ins and defaults count."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        out = [] if params.get("expect") or params.get("subset") else ["needs 'expect' or 'subset'"]
        out += [f"expect.{k}: cannot read {v!r}" for k, v in (params.get("expect") or {}).items()
                if not valid_expectation(v)]
        return out

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        config = host.run(RUNNING_SSHD_CONFIG).stdout.strip()
        command = f"sshd -T -f {shlex.quote(config)}" if config else "sshd -T"
        result = host.run(command)
        if result.rc != 0:
            return Outcome(False, [f"{command} failed (exit {result.rc}): {result.stderr.strip()}"])
        effective: dict[str, str] = {}
        for line in result.stdout.splitlines():
            key, _, value = line.partition(" ")
            effective.setdefault(key.lower(), value.strip())
        passed, evidence = True, ([f"running sshd reads {config}"] if config else [])
        for key, expectation in (params.get("expect") or {}).items():
            ok = compare(effective.get(key), expectation)
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} ({expectation}) sshd -T: {key} {effective.get(key, '(absent)')}")
        for key, allowed in (params.get("subset") or {}).items():
            offered = [v for v in effective.get(key, "").split(",") if v]
            weak = [v for v in offered if v not in allowed]
            ok = bool(offered) and not weak
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} sshd -T: {key} {','.join(offered) or '(absent)'}"
                            + (f" — not allowed: {','.join(weak)}" if weak else ""))
        return Outcome(passed, evidence)


class Sysctl:
    """Live values; on a lab host kernel.*/fs.* come from sysctl.d (they are the machine's, not the namespace's)."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "expect")

    def configured(self, host: Any) -> dict[str, tuple[str, str]]:
        """key -> (value, 'file:line: text'), in systemd-sysctl order (by file name; /etc overrides /usr)."""
        listing = host.run("ls -1 " + " ".join(f"{d}/*.conf" for d in SYSCTL_DIRS) + " /etc/sysctl.conf 2>/dev/null; true")
        by_name: dict[str, str] = {}
        for path in listing.stdout.split():
            name = "99-sysctl.conf" if path == "/etc/sysctl.conf" else path.rsplit("/", 1)[1]
            by_name.setdefault(name, path)  # the listing is in precedence order
        values: dict[str, tuple[str, str]] = {}
        for name in sorted(by_name):
            for n, raw in numbered_lines(host, by_name[name]):
                line = raw.strip()
                if not line or line[0] in "#;" or "=" not in line:
                    continue
                key, _, value = line.partition("=")
                values[key.strip().lstrip("-")] = (value.strip(), f"{by_name[name]}:{n}: {line}")
        return values

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        configured = self.configured(host) if lab else {}
        passed, evidence = True, []
        for key, want in params["expect"].items():
            if lab and not key.startswith(LIVE_IN_LAB):
                value, where = configured.get(key, (None, f"{key} not set in any sysctl.d file"))
                source = f"config {where}"
            else:
                result = host.run(f"sysctl -n {shlex.quote(key)}")
                value = result.stdout.strip() if result.rc == 0 else None
                source = f"live sysctl {key} = {value if value is not None else '(unreadable)'}"
                if value is None and "cannot stat" in result.stderr:
                    # The kernel was built without the feature (e.g. no magic SysRq): nothing to harden.
                    evidence.append(f"ok (want {want}) {key} absent from this kernel: feature not built in")
                    continue
            ok = value is not None and value.split() == str(want).split()
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} (want {want}) {source}")
        return Outcome(passed, evidence)


class FileModes:
    """Owner, group and a maximum mode (no permission bit beyond it) of files, globs allowed."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        out = _need(params, "files")
        for entry in params.get("files") or []:
            if not isinstance(entry, dict) or not entry.get("path") or not re.fullmatch(r"0[0-7]{3}", str(entry.get("max_mode", ""))):
                out.append(f"files: {entry!r} needs path and max_mode like '0640'")
        return out

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        passed, evidence = True, []
        for entry in params["files"]:
            paths = expand(host, [entry["path"]])
            if not paths:
                passed = False
                evidence.append(f"FAIL {entry['path']} does not exist")
            limit = int(entry["max_mode"], 8)
            for path in paths:
                f = host.file(path)
                mode, user, group = f.mode, f.user, f.group
                ok = (mode & ~limit) == 0 and user == entry.get("owner", "root") and group in entry.get("group", [group])
                passed &= ok
                evidence.append(f"{'ok' if ok else 'FAIL'} {path} {mode:04o} {user}:{group} "
                                f"(want ≤ {entry['max_mode']} {entry.get('owner', 'root')}:{'|'.join(entry.get('group', ['*']))})")
        return Outcome(passed, evidence)


class PackagesAbsent:
    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "packages")

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        installed = [p for p in params["packages"] if host.package(p).is_installed]
        if installed:
            return Outcome(False, [f"FAIL installed: {', '.join(installed)}"])
        return Outcome(True, [f"none installed of: {', '.join(params['packages'])}"])


class PortsNotListening:
    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "ports")

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        ports = {int(p) for p in params["ports"]}
        sockets = [s for s in host.socket.get_listening_sockets() if s.startswith(("tcp://", "udp://"))]
        bad = [s for s in sockets if int(s.rsplit(":", 1)[1]) in ports]
        if bad:
            return Outcome(False, [f"FAIL listening on a high-risk port: {s}" for s in bad])
        return Outcome(True, [f"listening: {', '.join(sorted(sockets)) or '(nothing)'}; none on {sorted(ports)}"])


class LogrotateRetention:
    """Retention from logrotate's own reading of its configuration (`logrotate -d`): rotations × period."""

    BLOCK = re.compile(r"rotating pattern: (?P<files>.*?)\s+(?P<period>daily|weekly|monthly|yearly|after \d+ bytes)?"
                       r"\s*\((?P<count>\d+) rotations\)", re.S)

    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "logs", "min_days")

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        result = host.run("logrotate -d /etc/logrotate.conf")
        text = result.stdout + result.stderr
        passed, evidence = True, []
        for log in params["logs"]:
            match = next((m for m in self.BLOCK.finditer(text)
                          if any(fnmatch.fnmatch(log, pat) for pat in m.group("files").split())), None)
            if match is None:
                passed = False
                evidence.append(f"FAIL {log}: not rotated by any logrotate rule (logrotate -d)")
                continue
            days = int(match.group("count")) * PERIOD_DAYS.get(match.group("period") or "", 0)
            ok = days >= int(params["min_days"])
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} {log}: {match.group('period') or 'size-based'} "
                            f"({match.group('count')} rotations) = {days} days kept (want ≥ {params['min_days']})")
        return Outcome(passed, evidence)


class Services:
    """Enabled and running outside the lab; in the lab, installed with its configuration present."""

    def validate(self, params: dict[str, Any]) -> list[str]:
        return _need(params, "names")

    def run(self, host: Any, params: dict[str, Any], lab: bool) -> Outcome:
        passed, evidence = True, []
        for path in params.get("configs", []):
            ok = host.file(path).exists
            passed &= ok
            evidence.append(f"{'ok' if ok else 'FAIL'} {path} {'present' if ok else 'missing'}")
        for name in params["names"]:
            if lab:
                ok = host.package(name).is_installed
                evidence.append(f"{'ok' if ok else 'FAIL'} {name} installed (lab: running state not checked)")
            else:
                svc = host.service(name)
                running, enabled = svc.is_running, svc.is_enabled
                ok = running and enabled
                evidence.append(f"{'ok' if ok else 'FAIL'} {name} running={running} enabled={enabled}")
            passed &= ok
        return Outcome(passed, evidence)


KINDS: dict[str, CheckKind] = {
    "config_values": ConfigValues(),
    "file_lines": FileLines(),
    "command_empty": CommandEmpty(),
    "sshd": Sshd(),
    "sysctl": Sysctl(),
    "file_modes": FileModes(),
    "packages_absent": PackagesAbsent(),
    "ports_not_listening": PortsNotListening(),
    "logrotate_retention": LogrotateRetention(),
    "services": Services(),
}


def run_check(host: Any, kind: str, params: dict[str, Any], lab: bool) -> Outcome:
    """Run one check; a command that cannot run is a failure with its error as evidence, never a crash."""
    try:
        return KINDS[kind].run(host, params, lab)
    except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others' results
        return Outcome(False, [f"FAIL check could not run: {type(exc).__name__}: {exc}"])


__all__ = ["KINDS", "Outcome", "run_check"]
