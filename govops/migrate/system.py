"""Rehearse (or run) one system's move from a department server to a cloud server, journaled and resumable.

Steps: precheck, deploy_target, preseed (rsync over SSH, source host -> target host on the data
network), freeze (writes refused), final_sync (rsync --checksum), start_target, verify_target
(health and data checksums match), cutover (the name's hosts-file record switches on every host),
verify (the name answers from the target, seen from another host).

A failure after the freeze rolls back by itself: the record points back to the source, the source
is unfrozen, the target service is stopped. The journal (JSON lines: system, step, time, outcome,
detail) makes a re-run skip the steps already done; after a rollback a re-run starts over.

Runs wherever `ssh -F <ssh_config> <host>` reaches the hosts (the lab: the mgmt namespace).
`python -m govops.migrate.system` reads the parameters as JSON on stdin (the Ansible module's entry).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STEPS = ("precheck", "deploy_target", "preseed", "freeze", "final_sync", "start_target", "verify_target",
         "cutover", "verify")
AFTER_FREEZE = set(STEPS[STEPS.index("freeze"):])
BASE = "/var/lib/govops-sample"  # under /var: private to each lab host (lab/hosts.py OVERLAID)
APP = Path(__file__).with_name("sample_service.py")
SSH_OPTS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "ServerAliveInterval=2",
            "-o", "ServerAliveCountMax=3"]


class StepFailed(RuntimeError):
    pass


@dataclass
class Migration:
    system: str
    name: str  # the DNS name users reach the service at
    source: str
    target: str
    source_addr: str
    target_addr: str
    hosts: list[str]  # hosts whose name record is switched (all servers)
    observer: str  # another host that checks the service from the users' side
    ssh_config: str
    journal: Path
    port: int = 8080
    known_hosts: str | None = None
    stop_after: str | None = None
    log: list[dict] = field(default_factory=list)

    @property
    def root(self) -> str:
        return f"{BASE}/{self.system}"

    # -- remote execution ----------------------------------------------------------------
    def ssh(self, host: str, script: str, timeout: int = 60, check: bool = True, **kw) -> subprocess.CompletedProcess:
        argv = ["ssh", "-F", self.ssh_config, *SSH_OPTS, "-o", "ForwardAgent=yes", host, script]
        for attempt in range(3):
            try:
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
            except subprocess.TimeoutExpired as exc:
                raise StepFailed(f"{host}: timed out after {timeout}s: {script[:120]}") from exc
            # 255 is ssh's own failure (no session); seen as a banner timeout when sshd is busy.
            # Only connection failures are retried: the remote command never ran.
            if proc.returncode != 255 or "banner exchange" not in proc.stderr or attempt == 2:
                break
        if check and proc.returncode:
            raise StepFailed(f"{host}: exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-400:]}")
        return proc

    def http_health(self, via: str, addr: str) -> dict:
        url = f"http://{addr}:{self.port}/health"
        code = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=5).read().decode())"
        out = self.ssh(via, f"python3 -c {shlex.quote(code)}", timeout=20).stdout
        return json.loads(out)

    def manifest(self, host: str) -> str:
        return self.ssh(host, f"cd {self.root}/data && find . -type f -print0 | sort -z | xargs -0 -r sha256sum").stdout

    def set_record(self, addr: str) -> None:
        line = f"{addr} {self.name} # govops-migrate {self.system}"
        script = (f"sed -i '/ # govops-migrate {self.system}$/d' /etc/hosts && "
                  f"echo {shlex.quote(line)} >> /etc/hosts")
        for host in self.hosts:
            self.ssh(host, script)

    def start_service(self, host: str) -> None:
        self.ssh(host, f"test -f {self.root}/service.pid && kill -0 $(cat {self.root}/service.pid) 2>/dev/null || "
                       f"{{ cd /; setsid nohup python3 {BASE}/sample_service.py --root {self.root} --port {self.port} "
                       f"> {self.root}/service.log 2>&1 < /dev/null & echo $! > {self.root}/service.pid; }}")
        for _ in range(50):
            if self.ssh(host, f"python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", {self.port}), 1)'",
                        check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise StepFailed(f"{host}: service did not start: {self.ssh(host, f'cat {self.root}/service.log', check=False).stdout[-400:]}")

    def stop_service(self, host: str) -> None:
        self.ssh(host, f"test -f {self.root}/service.pid && kill $(cat {self.root}/service.pid) 2>/dev/null; "
                       f"rm -f {self.root}/service.pid; true")

    def install_app(self, host: str) -> None:
        self.ssh(host, f"mkdir -p {self.root}/data && cat > {BASE}/sample_service.py", input=APP.read_text())

    def rsync(self, checksum: bool, delete: bool = True) -> None:
        ssh = " ".join(["ssh", *SSH_OPTS, "-o", "StrictHostKeyChecking=yes",
                        "-o", "UserKnownHostsFile=/root/.ssh/govops_known_hosts"])
        flags = "-a --timeout=10" + (" --delete" if delete else "") + (" --checksum" if checksum else "")
        self.ssh(self.source, f"rsync {flags} -e {shlex.quote(ssh)} {self.root}/data/ "
                              f"root@{self.target_addr}:{self.root}/data/", timeout=120)

    # -- the steps -------------------------------------------------------------------------
    def precheck(self) -> str:
        health = self.http_health(self.observer, self.name)
        if health.get("host") != self.source:
            raise StepFailed(f"{self.name} is served by {health.get('host')!r}, expected the source {self.source}")
        self.ssh(self.target, "command -v rsync >/dev/null && command -v python3 >/dev/null")
        self.ssh(self.source, f"ping -c 1 -W 2 {self.target_addr} >/dev/null")
        return f"{self.name} healthy on {self.source} ({health['files']} files); target reachable"

    def deploy_target(self) -> str:
        self.install_app(self.target)
        # Pin the target's host key (already verified on its management address) for its data address.
        pinned = self.pinned_known_hosts()
        self.ssh(self.source, "mkdir -p /root/.ssh && cat > /root/.ssh/govops_known_hosts", input=pinned)
        return f"service installed on {self.target}"

    def pinned_known_hosts(self) -> str:
        mgmt = self.ssh_config_hostname(self.target)
        lines = Path(self.known_hosts).read_text().splitlines() if self.known_hosts else []
        keys = [ln.split(None, 1)[1] for ln in lines if mgmt in ln.split(None, 1)[0].split(",")]
        if not keys:
            raise StepFailed(f"no known host key for {self.target} ({mgmt}) in {self.known_hosts}")
        return "".join(f"{self.target_addr} {k}\n" for k in keys)

    def ssh_config_hostname(self, host: str) -> str:
        out = subprocess.run(["ssh", "-F", self.ssh_config, "-G", host], capture_output=True, text=True, check=True)
        return next(ln.split()[1] for ln in out.stdout.splitlines() if ln.startswith("hostname "))

    def preseed(self) -> str:
        self.rsync(checksum=False)
        return "data pre-seeded"

    def freeze(self) -> str:
        self.ssh(self.source, f"touch {self.root}/FROZEN")
        return "source frozen: writes refused"

    def final_sync(self) -> str:
        self.rsync(checksum=True)
        return "final sync done"

    def start_target(self) -> str:
        self.ssh(self.target, f"rm -f {self.root}/FROZEN")
        self.start_service(self.target)
        return f"service started on {self.target}"

    def verify_target(self) -> str:
        health = self.http_health(self.observer, self.target_addr)
        if health.get("host") != self.target or health.get("status") != "ok":
            raise StepFailed(f"target health: {health}")
        src, dst = self.manifest(self.source), self.manifest(self.target)
        if src != dst:
            raise StepFailed("data checksums differ between source and target")
        return f"target healthy, {len(src.splitlines())} files, checksums match"

    def cutover(self) -> str:
        self.set_record(self.target_addr)
        return f"{self.name} -> {self.target_addr} on {len(self.hosts)} hosts"

    def verify(self) -> str:
        health = self.http_health(self.observer, self.name)
        if health.get("host") != self.target:
            raise StepFailed(f"{self.name} answered from {health.get('host')!r}, expected {self.target}")
        return f"{self.name} answers from {self.target} (seen from {self.observer})"

    def rollback(self) -> str:
        self.set_record(self.source_addr)
        self.ssh(self.source, f"rm -f {self.root}/FROZEN")
        self.stop_service(self.target)
        health = self.http_health(self.observer, self.name)
        if health.get("host") != self.source:
            raise StepFailed(f"after rollback {self.name} answers from {health.get('host')!r}")
        return f"{self.name} -> {self.source_addr}; source unfrozen and answering; target service stopped"

    # -- journal -------------------------------------------------------------------------------
    def record(self, step: str, outcome: str, detail: str = "", **extra) -> None:
        event = {"system": self.system, "step": step, "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                 "outcome": outcome, "detail": detail, **extra}
        self.log.append(event)
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")

    def done_steps(self) -> set[str]:
        done: set[str] = set()
        if not self.journal.exists():
            return done
        for line in self.journal.read_text().splitlines():
            event = json.loads(line)
            if event.get("system") != self.system:
                continue
            if event["step"] == "rollback" and event["outcome"] == "ok":
                done.clear()  # everything undone: the next run starts over
            elif event["outcome"] == "ok" and event["step"] in STEPS:
                done.add(event["step"])
        return done

    def run(self) -> dict:
        done = self.done_steps()
        if set(STEPS) <= done:
            return {"changed": False, "failed": False, "outcome": "completed", "skipped": list(STEPS), "events": []}
        skipped = [s for s in STEPS if s in done]
        for step in STEPS:
            if step in done:
                continue
            try:
                detail = getattr(self, step)()
            except (StepFailed, ValueError, KeyError) as exc:
                self.record(step, "failed", str(exc))
                if step in AFTER_FREEZE:
                    return self._rollback_after(step, str(exc), skipped)
                return {"changed": bool(self.log[:-1]), "failed": True, "outcome": "failed", "step": step,
                        "msg": f"{step}: {exc}", "skipped": skipped, "events": self.log}
            self.record(step, "ok", detail)
            if step == self.stop_after:
                return {"changed": True, "failed": False, "outcome": "paused", "step": step, "skipped": skipped,
                        "events": self.log}
        return {"changed": True, "failed": False, "outcome": "completed", "skipped": skipped, "events": self.log}

    def _rollback_after(self, step: str, error: str, skipped: list[str]) -> dict:
        try:
            detail = self.rollback()
        except StepFailed as exc:
            self.record("rollback", "failed", str(exc))
            return {"changed": True, "failed": True, "outcome": "rollback_failed", "step": step,
                    "msg": f"{step}: {error}; ROLLBACK FAILED: {exc}", "skipped": skipped, "events": self.log}
        self.record("rollback", "ok", detail)
        return {"changed": True, "failed": True, "outcome": "rolled_back", "step": step,
                "msg": f"{step}: {error}; rolled back: {detail}", "skipped": skipped, "events": self.log}

    def manual_rollback(self) -> dict:
        try:
            detail = self.rollback()
        except StepFailed as exc:
            self.record("rollback", "failed", str(exc))
            return {"changed": True, "failed": True, "outcome": "rollback_failed", "msg": str(exc), "events": self.log}
        self.record("rollback", "ok", detail)
        return {"changed": True, "failed": False, "outcome": "rolled_back", "events": self.log}

    # -- the sample system (rehearsal set-up and clean-up) -----------------------------------------
    def setup_sample(self, files: int = 40) -> dict:
        """A fresh sample: service and data on the source, nothing on the target, the name -> source."""
        for host in (self.source, self.target):
            self.stop_service(host)
            self.ssh(host, f"rm -rf {self.root}")
        self.install_app(self.source)
        self.ssh(self.source, f"cd {self.root}/data && for i in $(seq 1 {files}); do "
                              "head -c $((4096 + i * 97)) /dev/urandom > record-$i.bin; done && "
                              "mkdir -p archive && head -c 2000000 /dev/urandom > archive/2025.bin")
        self.start_service(self.source)
        self.set_record(self.source_addr)
        return {"changed": True, "failed": False, "outcome": "sample ready"}

    def teardown_sample(self) -> dict:
        for host in (self.source, self.target):
            self.stop_service(host)
            self.ssh(host, f"rm -rf {self.root}", check=False)
        for host in self.hosts:
            self.ssh(host, f"sed -i '/ # govops-migrate {self.system}$/d' /etc/hosts", check=False)
        return {"changed": True, "failed": False, "outcome": "sample removed"}


def from_inventory(inventory: str, system: str, source: str, target: str, ssh_config: str, journal: str,
                   name: str | None = None, observer: str | None = None, **kw) -> Migration:
    from govops.sot import load_inventory

    inv = load_inventory(inventory)
    for host in (source, target):
        if host not in inv.hosts or inv.hosts[host].uplink is None:
            raise ValueError(f"{host!r} is not a host with a data-network uplink in {inventory}")
    servers = sorted(h for h, v in inv.hosts.items() if v.uplink is not None)
    observer = observer or next(h for h in servers if h not in (source, target))
    domain = inv.city.id + ".example"
    return Migration(system=system, name=name or f"{system}.{domain}", source=source, target=target,
                     source_addr=str(inv.hosts[source].uplink.ipv4.ip), target_addr=str(inv.hosts[target].uplink.ipv4.ip),
                     hosts=servers, observer=observer, ssh_config=ssh_config, journal=Path(journal), **kw)


@contextlib.contextmanager
def ssh_agent(identity: str | None) -> Iterator[None]:
    """Host-to-host rsync authenticates with the operator's forwarded agent; start one if none is running."""
    if os.environ.get("SSH_AUTH_SOCK") or not identity:
        yield
        return
    with tempfile.TemporaryDirectory() as tmp:
        sock = f"{tmp}/agent.sock"
        agent = subprocess.Popen(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            os.environ["SSH_AUTH_SOCK"] = sock
            subprocess.run(["ssh-add", "-q", identity], check=True, capture_output=True)
            yield
        finally:
            os.environ.pop("SSH_AUTH_SOCK", None)
            agent.terminate()
            agent.wait(timeout=5)


def dispatch(actions: dict, action: str, identity: str | None) -> dict:
    """Run one named action of a migration or drill with the operator's SSH identity loaded.

    A step that fails returns Ansible's failed result (changed: something may have moved, and the
    journal says what); an unknown action names the ones there are.
    """
    if action not in actions:
        return {"changed": False, "failed": True, "msg": f"unknown action {action!r} ({', '.join(actions)})"}
    with ssh_agent(identity):
        try:
            return actions[action]()
        except StepFailed as exc:
            return {"changed": True, "failed": True, "msg": f"{action}: {exc}"}


def execute(params: dict) -> dict:
    action = params.pop("action", "migrate")
    identity = params.pop("identity", None)
    try:
        migration = from_inventory(**{k: v for k, v in params.items() if v is not None})
    except (ValueError, KeyError, OSError) as exc:
        return {"changed": False, "failed": True, "msg": str(exc)}
    return dispatch({"migrate": migration.run, "rollback": migration.manual_rollback,
                     "setup": migration.setup_sample, "teardown": migration.teardown_sample}, action, identity)
