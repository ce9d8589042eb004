"""Throw-away net-snmp agents in one network namespace, for tests and the bench.

Several `snmpd` processes listen on 127.0.0.1:<port> inside one namespace, each standing in
for one device (own sysName, own vendor ifName/ifDescr via `override`, v2c community and a
SNMPv3 authPriv SHA/AES user); their snmpd.conf comes from the lab's one writer
(lab.snmp.snmpd_conf). Port-less bridges (this kernel may lack the dummy module) give big
interface tables. Nothing touches the root namespace; `close()` kills only the PIDs started
here and deletes the namespace.
"""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyroute2 import netns as pyroute2_netns

from govops.sot.model import Snmp
from lab.snmp import IF_DESCR, IF_NAME, snmpd_conf, text_override

COMMUNITY = "gm-ro"
V3_USER, V3_AUTH, V3_PRIV = "gmuser", "gm-auth-key-1", "gm-priv-key-1"

# Only the interface and IP tables plus the system group: faster start, less memory.
SNMPD_EXCLUDE = ("-hr_system,hr_storage,hr_device,hr_other,hr_proc,hr_network,hr_print,hr_disk,"
                 "hr_partition,hr_filesys,hr_swrun,hr_swinst,ucd_snmp,disman,agentx,notification,target,"
                 "utilities,host,mteTrigger,mteObjects,mteEvent,schedule,ucd-snmp/diskio,ucd-snmp/lmsensors")


def ns_exec(netns: str, argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", netns, *argv], check=True, capture_output=True, text=True, **kw)


@dataclass
class Agent:
    name: str
    port: int
    directory: Path
    pid: int | None = None
    if_x_table: bool = True


@dataclass
class AgentNamespace:
    netns: str
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gm-agents-")))
    agents: dict[str, Agent] = field(default_factory=dict)
    procs: list[subprocess.Popen] = field(default_factory=list)

    def create(self, dummies: int = 0, ipv6: bool = True) -> None:
        if os.path.exists(f"/run/netns/{self.netns}"):
            subprocess.run(["ip", "netns", "del", self.netns], check=False)
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        ns_exec(self.netns, ["ip", "link", "set", "lo", "up"])
        if dummies:
            batch = self.workdir / "links.batch"
            batch.write_text("".join(f"link add gmd{i} type bridge\nlink set gmd{i} up\n" for i in range(dummies)))
            ns_exec(self.netns, ["ip", "-batch", str(batch)])
        if ipv6:
            ns_exec(self.netns, ["ip", "link", "add", "gmd-v6", "type", "veth", "peer", "name", "gmd-v6p"])
            ns_exec(self.netns, ["ip", "link", "set", "gmd-v6", "up"])
            ns_exec(self.netns, ["ip", "link", "set", "gmd-v6p", "up"])
            ns_exec(self.netns, ["ip", "addr", "add", "2001:db8:9::1/64", "dev", "gmd-v6", "nodad"])
            ns_exec(self.netns, ["ip", "addr", "add", "198.18.250.1/24", "dev", "gmd-v6"])

    def ifindexes(self) -> dict[str, int]:
        out = ns_exec(self.netns, ["ip", "-o", "link", "show"]).stdout
        result = {}
        for line in out.splitlines():
            idx, name = line.split(":", 2)[:2]
            result[name.strip().split("@")[0]] = int(idx)
        return result

    def add_agent(self, name: str, port: int, renames: dict[str, str] | None = None,
                  community: str = COMMUNITY, if_x_table: bool = True, overrides: list[str] | None = None) -> Agent:
        """One snmpd. `if_x_table=False` leaves IF-MIB's ifXTable out (as older ZTE ZXR10
        agents do); `overrides` are extra net-snmp `override` lines (OID TYPE VALUE)."""
        d = self.workdir / name
        (d / "persist").mkdir(parents=True, exist_ok=True)
        agent = Agent(name, port, d, if_x_table=if_x_table)
        self.agents[name] = agent
        self.configure(name, renames, community, overrides)
        self.start(name)
        return agent

    def configure(self, name: str, renames: dict[str, str] | None = None, community: str = COMMUNITY,
                  overrides: list[str] | None = None) -> None:
        """(Re)write an agent's snmpd.conf; a running agent reads it at its next start."""
        a = self.agents[name]
        settings = [("sysName", name), ("sysDescr", f"govops test agent {name}"),
                    ("sysObjectID", ".1.3.6.1.4.1.2011.2.23.1")]
        access = Snmp(community=community, v3_user=V3_USER, v3_auth_key=V3_AUTH, v3_priv_key=V3_PRIV)
        index = self.ifindexes()
        override_args = []
        for kname, vendor in (renames or {}).items():
            i = index[kname]
            override_args.append(text_override(f"{IF_DESCR}.{i}", vendor))
            if a.if_x_table:
                override_args.append(text_override(f"{IF_NAME}.{i}", vendor))
        override_args += overrides or ()
        conf = snmpd_conf(f"udp:127.0.0.1:{a.port}", settings, access, override_args)
        (a.directory / "snmpd.conf").write_text(conf)

    def start(self, name: str) -> None:
        a = self.agents[name]
        # No `-C -c FILE` (it skips the persistent dir): a restart keeps the SNMPv3 engineID and
        # bumps engineBoots, as on a real device, so long-running v3 managers resynchronise.
        env = {**os.environ, "SNMP_PERSISTENT_DIR": str(a.directory / "persist"), "MIBS": "",
               "SNMPCONFPATH": f"{a.directory}:{a.directory / 'persist'}"}
        proc = subprocess.Popen(["ip", "netns", "exec", self.netns, "/usr/sbin/snmpd", "-f",
                                 "-Lf", str(a.directory / "snmpd.log"),
                                 "-I", SNMPD_EXCLUDE + ("" if a.if_x_table else ",ifXTable"),
                                 "-p", str(a.directory / "snmpd.pid")],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        a.pid = proc.pid
        self.procs.append(proc)
        self.wait_ready(a)

    def wait_ready(self, a: Agent, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = subprocess.run(["ip", "netns", "exec", self.netns, "snmpget", "-v2c", "-c", COMMUNITY, "-t", "0.3",
                                "-r", "0", f"127.0.0.1:{a.port}", ".1.3.6.1.2.1.1.5.0"], capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"snmpd {a.name} did not answer on port {a.port}; see {a.directory}/snmpd.log")

    def stop(self, name: str) -> None:
        a = self.agents[name]
        if a.pid:
            _kill(a.pid)
            a.pid = None

    def spawn(self, argv: list[str], log: Path, env: dict | None = None, cwd: Path | None = None) -> subprocess.Popen:
        """A long-running process inside the namespace (exporter, prometheus); killed by close()."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.netns, *argv], stdin=subprocess.DEVNULL,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                cwd=cwd)
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        # Agents restarted by a forked test child are not in self.procs: their pid is.
        for pid in {*(p.pid for p in self.procs), *(a.pid for a in self.agents.values() if a.pid)}:
            _kill(pid)
        subprocess.run(["ip", "netns", "del", self.netns], check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


def run_in_namespace(netns_name: str, coro_fn: Callable[..., Awaitable], *args: object) -> object:
    """Run ``coro_fn(*args)`` in a namespace's network stack and return its result.

    A forked child enters the namespace, so this process (and pytest) stays where it is; the
    result comes back as its repr and must be plain data (numbers, strings, bytes, containers)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: enter the namespace, run, report the repr of the result
        os.close(r)
        code = 0
        try:
            pyroute2_netns.setns(netns_name)
            out = repr(asyncio.run(coro_fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out, code = f"ERROR {type(exc).__name__}: {exc}", 1
        os.write(w, out.encode())
        os._exit(code)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 1 << 16):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    if text.startswith("ERROR "):
        raise AssertionError(text)
    return ast.literal_eval(text)


def _kill(pid: int) -> None:
    # Each process was started in its own session: signal its group (ip netns exec + child).
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # started by another process (a forked test child's parent)
            pass
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    """Running, i.e. neither gone nor a zombie waiting for a parent that is not us."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
