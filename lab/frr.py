"""FRR as each device twin's routing engine: zebra, ospfd and ospf6d inside the device's namespace.

One set of daemons per device, started with ``ip netns exec`` so their sockets, routes and
packets belong to the device; their vty sockets, pid files and logs live in the device's own
directory under the lab's run dir (never /etc/frr or /run/frr, never the root namespace). The
twin talks to them through vtysh over those unix sockets: ``frr-reload.py`` applies the
configuration it translated from the vendor's, and ``show ... json`` reads the live state.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

FRR_BIN = Path("/usr/lib/frr")
DAEMONS = ("zebra", "ospfd", "ospf6d")
RELOAD = FRR_BIN / "frr-reload.py"
VTYSH = shutil.which("vtysh") or "/usr/bin/vtysh"
# Debian frr-snmp's ospfd_snmp.so and ospf6d_snmp.so (under the multiarch lib dir).
SNMP_MODULES = next(iter(Path("/usr/lib").glob("*/frr/modules")), Path("/usr/lib/frr/modules"))
AGENTX_DAEMONS = ("ospfd", "ospf6d")  # AgentX sub-agents of the device's snmpd (OSPF-MIB, OSPFV3-MIB)
AGENTX_DIR = "agentx"  # the sub-agents' net-snmp config (present: the daemons were started with -M snmp)
AGENTX_PING_S = 2  # seconds between the sub-agent's attempts to reach snmpd (net-snmp's default: 15)


class FrrError(RuntimeError):
    pass


def available() -> bool:
    return all((FRR_BIN / d).exists() for d in DAEMONS) and RELOAD.exists() and Path(VTYSH).exists()


def prepare(directory: Path, hostname: str) -> None:
    """The device's FRR directory, owned by the `frr` user the daemons drop to (Debian's package)."""
    directory.mkdir(parents=True, exist_ok=True)
    # vtysh reads vtysh.conf from the config dir frr-reload points it at: an empty one.
    (directory / "vtysh.conf").write_text("")
    try:
        user = pwd.getpwnam("frr")
    except KeyError as exc:
        raise FrrError("the Debian `frr` package is not installed (no `frr` user); run `make setup`") from exc
    for path in (directory, *directory.iterdir()):
        os.chown(path, user.pw_uid, user.pw_gid)
    directory.chmod(0o750)


def argv(netns: str, daemon: str, directory: Path, snmp: bool = False) -> list[str]:
    """One daemon in the device namespace: no TCP vty (-P 0), every path inside ``directory``.

    With ``snmp`` the OSPF daemons load FRR's SNMP module (zebra has no OSPF MIB: it runs
    without); ``load`` then turns AgentX on. Every daemon starts from /dev/null, never a config
    file: ``write`` would save the running config, MD5 key included, into it."""
    args = ["ip", "netns", "exec", netns, str(FRR_BIN / daemon),
            "--vty_socket", str(directory), "-z", str(directory / "zserv.api"),
            "-i", str(directory / f"{daemon}.pid"), "-P", "0",
            "--log", f"file:{directory / (daemon + '.log')}", "-f", "/dev/null"]
    if snmp and daemon in AGENTX_DAEMONS:
        args += ["-M", "snmp"]
    return args


def snmp_available() -> bool:
    """Debian `frr-snmp`: the ospfd/ospf6d AgentX modules."""
    return all((SNMP_MODULES / f"{d}_snmp.so").exists() for d in AGENTX_DAEMONS)


def _agentx_env(directory: Path, socket: Path) -> dict[str, str]:
    """net-snmp's sub-agent reads `frr.conf` from SNMPCONFPATH: only the device's own, which
    points it at its snmpd's socket and makes it reconnect (snmpd starts after FRR, and the
    `snmp` fault restarts it). MIBS="": FRR registers numeric OIDs, no MIB file is parsed."""
    conf = directory / AGENTX_DIR
    conf.mkdir(exist_ok=True)
    (conf / "frr.conf").write_text(f"agentXSocket unix:{socket}\nagentXPingInterval {AGENTX_PING_S}\n")
    user = pwd.getpwnam("frr")
    for path in (conf, conf / "frr.conf"):
        os.chown(path, user.pw_uid, user.pw_gid)
    return {**os.environ, "SNMPCONFPATH": str(conf), "SNMP_PERSISTENT_DIR": str(conf), "MIBS": ""}


def start(netns: str, directory: Path, log: Path, agentx: Path | None = None) -> dict[str, int]:
    """Start zebra, then the OSPF daemons (they connect to zebra's socket); {daemon: pid}.

    ``agentx``: the device snmpd's AgentX socket (lab/snmp.py); the OSPF daemons then serve
    OSPF-MIB and OSPFV3-MIB through it (when Debian `frr-snmp` is installed).
    ``ip netns exec`` execs the daemon, so each PID is the daemon's own (recorded and killed by
    ``lab down`` like the other lab processes)."""
    snmp = agentx is not None and snmp_available()
    env = _agentx_env(directory, agentx) if snmp and agentx is not None else None
    pids: dict[str, int] = {}
    with open(log, "ab") as err:
        for daemon in DAEMONS:
            proc = subprocess.Popen(argv(netns, daemon, directory, snmp), stdin=subprocess.DEVNULL, env=env,
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            pids[daemon] = proc.pid
            if daemon == "zebra":
                _wait_socket(directory / "zserv.api", proc)
    return pids


def _wait_socket(path: Path, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise FrrError(f"{path.parent.name}: zebra exited at start (code {proc.returncode})")
        if time.monotonic() > deadline:
            raise FrrError(f"{path.parent.name}: zebra socket {path} did not appear in {timeout:.0f} s")
        time.sleep(0.02)


def ready(directory: Path) -> bool:
    return all((directory / f"{d}.vty").exists() for d in DAEMONS)


def show_now(directory: Path, command: str) -> dict:
    """``show ... json`` without an event loop (lab lifecycle, tests)."""
    try:
        out = subprocess.run([VTYSH, "--vty_socket", str(directory), "-c", command], capture_output=True,
                             text=True, timeout=10).stdout
        return json.loads(out) if out.strip() else {}
    except (subprocess.TimeoutExpired, ValueError):
        return {}


def ospf_converged(directory: Path, peers: int, prefixes: set[str]) -> bool:
    """``peers`` adjacencies Full, and an OSPF route to each of ``prefixes`` selected in the RIB."""
    neighbours = show_now(directory, "show ip ospf neighbor json").get("neighbors") or {}
    full = sum(1 for entries in neighbours.values() for n in entries
               if str(n.get("nbrState") or n.get("state", "")).startswith("Full"))
    if full < peers:
        return False
    routes = show_now(directory, "show ip route ospf json")
    return all(any(r.get("selected") for r in routes.get(p, [])) for p in prefixes)


async def _run(*args: str, timeout: float = 30.0) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(*args, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise FrrError(f"{' '.join(args[:3])}: no answer in {timeout:.0f} s") from None
    return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


async def load(directory: Path, config: str) -> None:
    """First configuration of freshly started daemons (they run an empty one): ``vtysh -f``.

    AgentX first, to the OSPF daemons only (zebra, without the SNMP module, refuses the line).
    frr-reload never removes ``agentx`` (it is on its list of lines that cannot be removed), so
    the twin's later reloads keep it."""
    if (directory / AGENTX_DIR).is_dir():
        for daemon in AGENTX_DAEMONS:
            code, out, err = await _run(VTYSH, "--vty_socket", str(directory), "-d", daemon,
                                        "-c", "configure terminal", "-c", "agentx")
            if code != 0:
                raise FrrError(f"{daemon}: agentx failed ({code}): {(err or out)[-200:]}")
    tmp = _secret_file(directory, config)
    try:
        code, out, err = await _run(VTYSH, "--vty_socket", str(directory), "-f", str(tmp))
    finally:
        tmp.unlink(missing_ok=True)  # it carries the MD5 key: the daemons hold it, no file does
    if code != 0:
        raise FrrError(f"vtysh -f failed ({code}): {_scrub(err or out)[-400:]}")


async def reload(directory: Path, config: str) -> None:
    """Make the daemons' running configuration ``config`` with FRR's own ``frr-reload.py``: it
    diffs against ``show running-config`` and sends only the changes (no adjacency reset)."""
    tmp = _secret_file(directory, config)
    try:
        code, out, err = await _run("python3", str(RELOAD), "--reload", "--stdout", "--vty_socket", str(directory),
                                    "--rundir", str(directory), "--confdir", str(directory),
                                    "--bindir", str(Path(VTYSH).parent), str(tmp))
    finally:
        tmp.unlink(missing_ok=True)
    if code != 0:
        # frr-reload prints the lines it sent, keys included: report only the tail of its error.
        raise FrrError(f"frr-reload failed ({code}): {_scrub(err or out)[-400:]}")


def _secret_file(directory: Path, config: str) -> Path:
    """The configuration to apply, readable by root only, removed once applied."""
    tmp = directory / "frr.conf.new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(config)
    return tmp


def _scrub(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "message-digest-key" not in line)


async def show(directory: Path, command: str) -> dict:
    """``vtysh -c 'show ... json'`` parsed; {} when the daemon has nothing (or is not running)."""
    code, out, _ = await _run(VTYSH, "--vty_socket", str(directory), "-c", command, timeout=10.0)
    if code != 0 or not out.strip():
        return {}
    try:
        return json.loads(out)
    except ValueError:
        return {}
