"""DR drill: fail a top-tier system over from the production centre to the remote DR centre, measure.

The sample system on the primary has a writer (users: one record file every 0.5 s, named by its
time) and an asynchronous replication loop (rsync primary -> replica over the data network every
few seconds, run from the ops workstation with the operator's agent). The drill:

1. precheck   the name answers from the primary; replication state read from its status file
2. disaster   T0: the primary's service, writer and replication stop (the centre is lost)
3. failover   service started on the replica; the name's record switches; T1 = the name answers
              from the replica, seen from another host. RTO = T1 - T0.
4. measure    RPO = newest record on the primary - newest record on the replica (the data lost),
              with the count of records lost; both compared with the tier's promise for the kind of
              replica failed over to (govops.cloud.dr: TIERS, rpo_seconds(replication), rto_s), or the
              drill's own objectives, e.g. compressed for the lab.
5. failback   replica -> primary sync (no delete: the lost records are kept on the primary for
              reconciliation), primary service, record back, writer and replication restarted.

Every step and the report go to the JSON-lines journal the SA forwarder follows; a breach is an
event with outcome failure and severity 4.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from govops.cloud.dr import REPLICA_CENTRE_ROLE, Replication
from govops.cloud.dr import tier as dr_tier
from govops.migrate.system import Migration, StepFailed, dispatch, from_inventory, ssh_agent


def replication_to(inv, host: str) -> Replication | None:
    """The replica kind a host's centre carries (same-city DR: sync, remote DR: async), from the SoT."""
    h = inv.hosts.get(host)
    centre = inv.centres.get(h.centre) if h and h.centre else None
    return next((r for r, role in REPLICA_CENTRE_ROLE.items() if centre and centre.role == role), None)


@dataclass
class Drill:
    m: Migration  # source = primary, target = replica
    level: int
    state: Path  # the replication loop's status and PID (on the ops workstation)
    interval: float = 3.0
    rpo_objective: float | None = None
    rto_objective: float | None = None
    params: dict = field(default_factory=dict)  # to start the replication loop as its own process
    replication: Replication | None = None  # the kind of replica failed over to (from its centre's role)

    def promise(self) -> tuple[float, float]:
        """(RPO, RTO) objectives in seconds: the drill's own, else the tier's promise for this replica
        (govops.cloud.dr: an async remote replica of a level-6 system is held to 30 min, not 0)."""
        t = dr_tier(self.level)
        repl = self.replication if self.replication in t.replicas else None
        return (self.rpo_objective if self.rpo_objective is not None else t.rpo_seconds(repl),
                self.rto_objective if self.rto_objective is not None else t.rto_s)

    @property
    def back(self) -> Migration:
        """The same system seen from the replica (for failback)."""
        b = Migration(**{**self.m.__dict__, "source": self.m.target, "target": self.m.source,
                         "source_addr": self.m.target_addr, "target_addr": self.m.source_addr, "log": self.m.log})
        return b

    # -- sample: service, writer, replication ----------------------------------------------------
    def setup(self) -> dict:
        self.teardown()
        self.m.install_app(self.m.source)
        self.m.install_app(self.m.target)
        self.m.deploy_target()
        self.back.deploy_target()
        self.m.start_service(self.m.source)
        self.m.set_record(self.m.source_addr)
        self.start_writer()
        self.start_replication()
        return {"changed": True, "failed": False, "outcome": "sample ready, replicating"}

    def teardown(self) -> dict:
        self.stop_replication()
        for host in (self.m.source, self.m.target):
            self.stop_writer(host)
            self.m.stop_service(host)
            self.m.ssh(host, f"rm -rf {self.m.root}", check=False)
        for host in self.m.hosts:
            self.m.ssh(host, f"sed -i '/ # govops-migrate {self.m.system}$/d' /etc/hosts", check=False)
        return {"changed": True, "failed": False, "outcome": "sample removed"}

    def start_writer(self) -> None:
        loop = (f"while :; do t=$(date +%s.%N); echo $t > {self.m.root}/data/rec-$t.txt; sleep 0.5; done")
        self.m.ssh(self.m.source, f"cd /; setsid nohup sh -c '{loop}' > /dev/null 2>&1 < /dev/null & "
                                  f"echo $! > {self.m.root}/writer.pid")

    def stop_writer(self, host: str) -> None:
        self.m.ssh(host, f"test -f {self.m.root}/writer.pid && kill $(cat {self.m.root}/writer.pid); "
                         f"rm -f {self.m.root}/writer.pid; true", check=False)

    def start_replication(self) -> None:
        self.state.parent.mkdir(parents=True, exist_ok=True)
        params = {**self.params, "action": "replicate"}
        env = dict(os.environ)
        if params.get("identity"):
            env.pop("SSH_AUTH_SOCK", None)  # ours dies with this process: the loop starts its own agent
        proc = subprocess.Popen([sys.executable, "-m", "govops.migrate.drill"], stdin=subprocess.PIPE, env=env,
                                stdout=subprocess.DEVNULL, stderr=open(self.state.with_suffix(".log"), "a"),
                                start_new_session=True, text=True)
        proc.stdin.write(json.dumps(params))
        proc.stdin.close()
        self._write_state({"pid": proc.pid, "last_sync": None, "running": True})

    def stop_replication(self) -> dict:
        st = self.read_state()
        pid = st.get("pid")
        if pid and st.get("running"):
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        st["running"] = False
        if self.state.parent.exists():
            self._write_state(st)
        return {"changed": bool(pid), "failed": False, "outcome": "replication stopped"}

    def replicate_forever(self) -> None:
        """The replication loop (its own process): one rsync per interval, status after each success."""
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while Path(self.m.ssh_config).exists():  # the lab (or workstation config) is gone: stop
            started = time.time()
            try:
                self.m.rsync(checksum=False)
                self._write_state({**self.read_state(), "last_sync": started, "pid": os.getpid(), "running": True})
            except StepFailed as exc:
                print(f"replication failed: {exc}", file=sys.stderr, flush=True)
            time.sleep(max(0.0, self.interval - (time.time() - started)))

    def read_state(self) -> dict:
        return json.loads(self.state.read_text()) if self.state.exists() else {}

    def _write_state(self, st: dict) -> None:
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps(st))
        tmp.replace(self.state)

    # -- the drill ---------------------------------------------------------------------------------
    def newest(self, host: str) -> tuple[float, int]:
        out = self.m.ssh(host, f"ls {self.m.root}/data").stdout.split()
        stamps = sorted(float(n[4:-4]) for n in out if n.startswith("rec-") and n.endswith(".txt"))
        return (stamps[-1] if stamps else 0.0), len(stamps)

    def run(self) -> dict:
        m = self.m
        t = dr_tier(self.level)
        rpo_obj, rto_obj = self.promise()
        try:
            health = m.http_health(m.observer, m.name)
            if health.get("host") != m.source:
                raise StepFailed(f"{m.name} is served by {health.get('host')!r}, not the primary {m.source}")
            st = self.read_state()
            lag = time.time() - st["last_sync"] if st.get("last_sync") else None
            m.record("precheck", "ok", f"primary healthy; replication {'running' if st.get('running') else 'STOPPED'}"
                     + (f", last sync {lag:.1f} s ago" if lag is not None else ", never synced"))
            self.stop_replication()
            self.stop_writer(m.source)
            m.stop_service(m.source)
            t0 = time.time()  # the service is down from here: RTO counts from now
            m.record("disaster", "ok", f"primary {m.source} service, writer and replication stopped")
            m.ssh(m.target, f"rm -f {m.root}/FROZEN")
            m.start_service(m.target)
            m.set_record(m.target_addr)
            for _ in range(100):
                try:
                    if m.http_health(m.observer, m.name).get("host") == m.target:
                        break
                except (StepFailed, ValueError):
                    pass
                time.sleep(0.1)
            else:
                raise StepFailed(f"{m.name} does not answer from the replica {m.target}")
            rto = time.time() - t0
            m.record("failover", "ok", f"{m.name} answers from {m.target} after {rto:.1f} s")
        except StepFailed as exc:
            m.record("drill", "failed", str(exc))
            return {"changed": True, "failed": True, "msg": f"{exc}; failback: {self.failback()}", "events": m.log}
        (p_new, p_n), (r_new, r_n) = self.newest(m.source), self.newest(m.target)
        rpo = max(0.0, p_new - r_new)
        report = {"system": m.system, "tier": t.level, "tier_name": t.name_en, "promise_rpo": t.rpo,
                  "promise_rto": t.rto, "replication": self.replication.value if self.replication else None,
                  "rpo_objective_s": rpo_obj, "rto_objective_s": rto_obj,
                  "rto_s": round(rto, 2), "rpo_s": round(rpo, 2), "records_lost": p_n - r_n,
                  "rpo_ok": rpo <= rpo_obj, "rto_ok": rto <= rto_obj}
        for what in ("rpo", "rto"):
            measured, objective = report[f"{what}_s"], report[f"{what}_objective_s"]
            detail = f"{what.upper()} {measured} s against {objective} s (tier {t.level}: {getattr(t, what)})"
            if report[f"{what}_ok"]:
                m.record(f"measure_{what}", "ok", detail)
            else:  # severity 4 (warning) and a summary: what the SA platform shows
                m.record(f"measure_{what}", "failure", detail, severity=4,
                         summary=f"DR drill {m.system}: {what.upper()} breach, {measured} s > {objective} s")
        self.write_status(p_new, r_new, rpo_obj)
        report["failback"] = self.failback()
        m.record("report", "ok" if report["rpo_ok"] and report["rto_ok"] else "failure", "", report=report)
        return {"changed": True, "failed": False, "report": report, "events": m.log}

    def write_status(self, primary_ts: float, replica_ts: float, rpo_objective: float) -> None:
        """One line for the DR status file the monitoring exporter reads (monitoring/migration/dr.py)."""
        path = self.params.get("dr_status")
        if not path:
            return

        def iso(t: float) -> str:
            return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")

        line = {"system": self.m.system, "observed_at": iso(time.time()), "primary_data_ts": iso(primary_ts),
                "replica_data_ts": iso(replica_ts), "rpo_seconds": rpo_objective, "source": "dr-drill"}
        if self.replication:
            line["replication"] = self.replication.value
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            fh.write(json.dumps(line) + "\n")

    def failback(self) -> str:
        m = self.m
        try:
            self.back.rsync(checksum=True, delete=False)
            m.stop_service(m.target)
            m.start_service(m.source)
            m.set_record(m.source_addr)
            if m.http_health(m.observer, m.name).get("host") != m.source:
                raise StepFailed(f"{m.name} does not answer from {m.source} after failback")
            self.start_writer()
            self.start_replication()
        except StepFailed as exc:
            m.record("failback", "failed", str(exc))
            return f"failed: {exc}"
        m.record("failback", "ok", f"{m.name} answers from {m.source}; writer and replication restarted")
        return "ok"


def build(params: dict) -> Drill:
    from govops.sot import load_inventory

    inv = load_inventory(params["inventory"])
    system = params["system"]
    m = from_inventory(params["inventory"], system, params["primary"], params["replica"], params["ssh_config"],
                       params["journal"], known_hosts=params.get("known_hosts"), observer=params.get("observer"))
    d = Drill(m, inv.systems[system].dr_tier if system in inv.systems else 6, Path(params["state"]),
              float(params.get("interval") or 3), params.get("rpo_objective"), params.get("rto_objective"),
              dict(params), replication_to(inv, params["replica"]))
    return d


def execute(params: dict) -> dict:
    params = {k: v for k, v in params.items() if v is not None}
    action = params.pop("action", "drill")
    identity = params.pop("identity", None)
    try:
        drill = build(params)
    except (ValueError, KeyError, OSError) as exc:
        return {"changed": False, "failed": True, "msg": str(exc)}
    drill.params["identity"] = identity
    if action == "replicate":
        with ssh_agent(identity):
            drill.replicate_forever()
    return dispatch({"drill": drill.run, "setup": drill.setup, "teardown": drill.teardown,
                     "stop-replication": drill.stop_replication}, action, identity)


if __name__ == "__main__":  # the background replication loop (start_replication) reads its params here
    print(json.dumps(execute(json.load(sys.stdin)), ensure_ascii=False))
