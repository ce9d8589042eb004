"""PostgreSQL DR on the lab: build the replicated cluster a layout describes, drill a failover.

Each postgres runs inside its host's namespaces (`lab.command(host, ...)`: net, mount, UTS) as the
`postgres` user, with its data, socket, TLS files and passfile under the lab's run dir
(`<run_dir>/pg/<host>/`), so `lab down` (which kills every process in the prefix's namespaces and
removes the run dir) also removes the databases. Replication goes over the data network (the
hosts' uplink addresses), TLS verify-full against a lab CA made at setup, SCRAM passwords from the
vault kept in passfiles (never in argv, conf files or the journal).

The drill (`Drill.run`):
1. precheck   pg_stat_replication on the primary: every standby the tier asks for streams, sync/async
              as planned, over TLS
2. load       the writer (govops.migrate.pgwriter, in a client host's network namespace) commits
              numbered transactions; each acknowledged one is logged
3. disaster   T0: the primary's uplink goes down (lab fault) and its postmaster is killed (SIGQUIT,
              immediate shutdown: no checkpoint, like a power loss); the writer is killed
4. failover   `pg_ctl promote` on the standby for the replica kind drilled; a probe writes to it until
              a commit succeeds: T1. RTO = T1 - T0
5. measure    RPO: acknowledged ids missing on the promoted standby (count, and the seconds between the
              newest acknowledged write and the newest one the standby has); both against the tier's
              promise for that replica kind (govops.cloud.dr) or the drill's own objective
6. failback   (`Drill.failback`, optional) users write to the promoted node; production is re-cloned
              from it, a switchover moves the primary back, the others are re-cloned; every
              transaction acknowledged after the failover must be on production
Every step and the report go to the JSON-lines journal (the format of govops.migrate.system); a
breach is outcome failure, severity 4, with a summary the SA forwarder carries.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from govops.cloud.dr import Replication
from govops.cloud.dr import tier as dr_tier
from govops.migrate import pg

PG_ROOT = Path("/usr/lib/postgresql")


# Ids the writer uses after a failover: above anything written before (and the RTO probe's)
AFTER_FAILOVER_IDS = 2_000_000


class DbStepFailed(RuntimeError):
    pass


def bindir() -> Path:
    """The newest installed server version's bin dir (Debian: /usr/lib/postgresql/<ver>/bin)."""
    versions = sorted((p for p in PG_ROOT.glob("*/bin/postgres")), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise DbStepFailed(f"no PostgreSQL server under {PG_ROOT} (Debian package postgresql)")
    return versions[-1].parent


def make_tls(dir_: Path, layout: pg.Layout) -> None:
    """A lab CA and one server certificate per node (SAN: its data-network address)."""
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    dir_.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"govops lab DB CA {layout.system}")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (dir_ / "ca.crt").write_bytes(ca.public_bytes(pem))
    def issue(tls: Path, name: str, cn: str, san: x509.SubjectAlternativeName | None) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
             .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2)))
        if san is not None:
            b = b.add_extension(san, critical=False)
        (tls / f"{name}.crt").write_bytes(b.sign(ca_key, hashes.SHA256()).public_bytes(pem))
        (tls / f"{name}.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
        (tls / f"{name}.key").chmod(0o600)

    for node in layout.nodes:
        tls = dir_ / node.host
        tls.mkdir(parents=True, exist_ok=True)
        # PostgreSQL: libpq verify-full matches the IP SAN (PostgreSQL 14+)
        issue(tls, "server", node.host, x509.SubjectAlternativeName([x509.IPAddress(ip_address(node.addr))]))
        # pgBackRest TLS server: its client verifies the host name against dNSName SANs or the CN only,
        # so the address is the CN; its clients are authorised by CN (tls-server-auth)
        issue(tls, "pgbr-server", node.addr, None)
        issue(tls, "pgbr-client", node.host, None)
        shutil.copy(dir_ / "ca.crt", tls / "ca.crt")


@dataclass
class LabCluster:
    """The layout's nodes as postgres processes in the lab hosts' namespaces."""

    lab: object  # lab.state.Lab
    layout: pg.Layout
    secrets: dict[str, str]
    client: str  # the host whose network namespace the writer and the probe use

    @property
    def base(self) -> Path:
        return Path(self.lab.run_dir) / "pg"

    def paths(self, host: str) -> dict[str, str]:
        d = self.base / host
        return {"dir": str(d), "data": str(d / "data"), "sock": str(d / "sock"), "tls": str(d / "tls"),
                "passfile": str(d / "pgpass"), "log": str(d / "postgres.log")}

    # -- running things in a host -------------------------------------------------------------------
    def as_postgres(self, host: str, argv: list[str], input: str | None = None, check: bool = True,
                    timeout: float = 60, secret: bool = False) -> subprocess.CompletedProcess:
        out = self.lab.run(host, ["runuser", "-u", "postgres", "--", *argv], input=input, timeout=timeout)
        if check and out.returncode != 0:
            shown = "(output withheld: the input held a secret)" if secret else (out.stderr or out.stdout)[-800:]
            raise DbStepFailed(f"{host}: {Path(argv[0]).name} failed ({out.returncode}): {shown}")
        return out

    def psql(self, host: str, sql: str, db: str = "postgres", secret: bool = False, check: bool = True) -> str:
        argv = [str(bindir() / "psql"), "-h", self.paths(host)["sock"], "-p", str(pg.PORT), "-d", db,
                "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]
        return self.as_postgres(host, argv, input=sql, secret=secret, check=check).stdout.strip()

    def pid(self, host: str) -> int | None:
        try:
            return int((Path(self.paths(host)["data"]) / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def start(self, host: str) -> int:
        p = self.paths(host)
        self.as_postgres(host, [str(bindir() / "pg_ctl"), "-D", p["data"], "-l", p["log"], "-w", "-t", "60", "start"])
        pid = self.pid(host)
        if not pid:
            raise DbStepFailed(f"{host}: postgres started but wrote no postmaster.pid")
        return pid

    def kill(self, host: str, sig: int = signal.SIGQUIT, wait: float = 10) -> bool:
        """Stop a postmaster by its PID (SIGQUIT: immediate, no checkpoint; SIGINT: fast)."""
        pid = self.pid(host)
        if not pid:
            return False
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        return True

    # -- build ------------------------------------------------------------------------------------
    def write_conf(self, host: str, archive_command: str = "", bootstrap: bool = False,
                   upstream: pg.DbNode | None = None) -> None:
        p = self.paths(host)
        data = Path(p["data"])
        files = pg.render(self.layout, host, p, archive_command, bootstrap, upstream)
        (data / "govops.conf").write_text(files["postgresql.conf"])
        (data / "pg_hba.conf").write_text(files["pg_hba.conf"])
        main = data / "postgresql.conf"
        if "include 'govops.conf'" not in main.read_text():
            with main.open("a") as fh:
                fh.write("\ninclude 'govops.conf'  # govops: the rendered layout wins\n")
        shutil.chown(data / "govops.conf", "postgres", "postgres")

    def prepare_dirs(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        tls_all = self.base / "tls"
        make_tls(tls_all, self.layout)
        for node in self.layout.nodes:
            p = self.paths(node.host)
            for key in ("dir", "sock"):
                Path(p[key]).mkdir(parents=True, exist_ok=True)
            shutil.rmtree(p["tls"], ignore_errors=True)
            shutil.copytree(tls_all / node.host, p["tls"])
            Path(p["passfile"]).write_text(f"*:*:*:{pg.REPLICATION_USER}:{self.secrets['replication']}\n")
            Path(p["passfile"]).chmod(0o600)
            subprocess.run(["chown", "-R", "postgres:postgres", p["dir"]], check=True)
        # the client (writer, probe) runs as root: its own passfile and the CA
        c = self.base / "client"
        c.mkdir(exist_ok=True)
        shutil.copy(tls_all / "ca.crt", c / "ca.crt")
        (c / "pgpass").write_text(f"*:*:{pg.DATABASE}:{pg.APP_USER}:{self.secrets['app']}\n")
        (c / "pgpass").chmod(0o600)
        shutil.rmtree(tls_all)

    def app_conninfo(self, host: str) -> str:
        c = self.base / "client"
        return (f"host={self.layout.node(host).addr} port={pg.PORT} dbname={pg.DATABASE} user={pg.APP_USER} "
                f"sslmode=verify-full sslrootcert={c / 'ca.crt'} passfile={c / 'pgpass'}")

    def setup(self, backups=None) -> None:
        """Primary (initdb), roles and the reference table, then each standby cloned over TLS.
        `backups` (govops.migrate.pgbackup.Backups): WAL archiving into its repository from the start."""
        self.teardown()
        self.prepare_dirs()
        archive = ""
        if backups is not None:
            backups.write_conf()
            archive = backups.archive_command()
        self.archive = archive
        prim = self.layout.primary.host
        p = self.paths(prim)
        self.as_postgres(prim, [str(bindir() / "initdb"), "-D", p["data"], "-U", "postgres", "--auth-local=peer",
                                "--auth-host=scram-sha-256", "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"])
        self.write_conf(prim, archive, bootstrap=True)
        self.start(prim)
        # passwords via stdin, never argv; errors withheld (psql may echo the statement)
        self.psql(prim, f"CREATE ROLE {pg.REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD "
                        f"'{self.secrets['replication']}';\n"
                        f"CREATE ROLE {pg.APP_USER} WITH LOGIN PASSWORD '{self.secrets['app']}';\n"
                        f"CREATE DATABASE {pg.DATABASE} OWNER {pg.APP_USER};\n", secret=True)
        self.psql(prim, "CREATE TABLE txlog (id bigint PRIMARY KEY, payload text NOT NULL, "
                        "written_at timestamptz NOT NULL DEFAULT clock_timestamp());\n"
                        f"ALTER TABLE txlog OWNER TO {pg.APP_USER};\n", db=pg.DATABASE)
        for s in self.layout.standbys:
            self.clone(s.host)
        self.wait_streaming()
        self.write_conf(prim, archive)  # now synchronous: commits wait for the same-city standby
        self.as_postgres(prim, [str(bindir() / "pg_ctl"), "-D", p["data"], "reload"])
        self.wait_streaming(sync=True)

    def clone(self, host: str, upstream: pg.DbNode | None = None) -> None:
        """A standby of `upstream` (default: the planned primary), copied with pg_basebackup over TLS."""
        p = self.paths(host)
        shutil.rmtree(p["data"], ignore_errors=True)
        conn = (f"host={(upstream or self.layout.primary).addr} port={pg.PORT} user={pg.REPLICATION_USER} "
                f"sslmode=verify-full sslrootcert={p['tls']}/ca.crt passfile={p['passfile']}")
        self.as_postgres(host, [str(bindir() / "pg_basebackup"), "-d", conn, "-D", p["data"], "-X", "stream",
                                "-c", "fast", "--no-password"], timeout=120)
        self.write_conf(host, upstream=upstream)
        (Path(p["data"]) / "standby.signal").touch()
        shutil.chown(Path(p["data"]) / "standby.signal", "postgres", "postgres")
        self.start(host)

    def replication(self) -> list[dict]:
        """pg_stat_replication joined with pg_stat_ssl on the primary: who streams, sync or async, TLS."""
        out = self.psql(self.layout.primary.host,
                        "SELECT json_agg(json_build_object('name', r.application_name, 'addr', host(r.client_addr), "
                        "'state', r.state, 'sync_state', r.sync_state, 'ssl', s.ssl, "
                        "'lag_bytes', pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn))) "
                        "FROM pg_stat_replication r LEFT JOIN pg_stat_ssl s ON s.pid = r.pid;")
        return json.loads(out) if out else []

    def lag_status(self, path: Path) -> list[dict]:
        """Append one DR status line per planned standby from pg_stat_replication (the exporter's
        govops_dr_replication_lag_seconds against the tier's RPO for that replica kind).

        What can be lost at failover is what the standby has not flushed: flush_lag. A sync standby
        that is `sync` loses nothing (COMMIT waits for its flush): lag 0; one that has fallen back
        to async or stopped streaming is reported with its flush lag or, absent, as missing."""
        rows = {r["name"]: r for r in json.loads(self.psql(
            self.layout.primary.host,
            "SELECT coalesce(json_agg(json_build_object('name', application_name, 'state', state, "
            "'sync_state', sync_state, 'flush_lag', coalesce(extract(epoch FROM flush_lag), 0), "
            "'lag_bytes', pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn))), '[]') FROM pg_stat_replication;"))}
        now = time.time()
        lines = []
        for s in self.layout.standbys:
            r = rows.get(s.app_name)
            if r is None or r["state"] != "streaming":
                lines.append({"system": self.layout.system, "replication": s.kind, "standby": s.host,
                              "missing": True})
                continue
            lag = 0.0 if s.kind == Replication.sync_same_city and r["sync_state"] == "sync" else float(r["flush_lag"])
            lines.append({"system": self.layout.system, "observed_at": _iso(now), "primary_data_ts": _iso(now),
                          "replica_data_ts": _iso(now - lag), "replication": s.kind, "standby": s.host,
                          "sync_state": r["sync_state"], "lag_bytes": r["lag_bytes"], "source": "pg_stat_replication"})
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as fh:
            for line in lines:
                if not line.get("missing"):  # no timestamps to give: the exporter keeps the last line
                    fh.write(json.dumps(line) + "\n")
        return lines

    def wait_streaming(self, timeout: float = 60, sync: bool = False) -> list[dict]:
        """Until every standby streams and has reported its WAL positions (and, with sync, the planned
        ones are sync)."""
        want = {s.app_name for s in self.layout.standbys}
        want_sync = {s.app_name for s in self.layout.standbys if s.kind == Replication.sync_same_city}
        deadline = time.monotonic() + timeout
        while True:
            rows = self.replication()
            # streaming, and it has sent its first status report (until then its positions are NULL)
            if ({r["name"] for r in rows if r["state"] == "streaming" and r["lag_bytes"] is not None} >= want
                    and (not sync or {r["name"] for r in rows if r["sync_state"] == "sync"} >= want_sync)):
                return rows
            if time.monotonic() > deadline:
                raise DbStepFailed(f"standbys not streaming after {timeout:.0f} s: {rows}")
            time.sleep(0.2)

    def teardown(self) -> None:
        for node in self.layout.nodes:
            self.kill(node.host, signal.SIGQUIT)
        helpers = []
        for pidfile in self.base.glob("*.pid"):  # helpers started beside the databases (pgbackrest server)
            try:
                pid = int(pidfile.read_text())
                os.kill(pid, signal.SIGTERM)
                helpers.append(pid)
            except (ValueError, ProcessLookupError):
                pass
        deadline = time.monotonic() + 5  # gone before a new setup binds their ports
        for pid in helpers:
            while time.monotonic() < deadline:
                try:
                    os.waitpid(pid, os.WNOHANG)  # ours: reap it, or it stays a zombie that os.kill still finds
                except ChildProcessError:
                    pass
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(self.base, ignore_errors=True)

    # -- the writer ---------------------------------------------------------------------------------
    def client_command(self, argv: list[str]) -> list[str]:
        """argv run in the client host's network namespace (the venv's python and psycopg)."""
        return ["nsenter", f"--net=/run/netns/{self.lab.netns(self.client)}", "--", *argv]

    def start_writer(self, acks: Path, host: str | None = None, first_id: int = 1) -> subprocess.Popen:
        argv = self.client_command([sys.executable, "-m", "govops.migrate.pgwriter", "write",
                                    "--conninfo", self.app_conninfo(host or self.layout.primary.host),
                                    "--acks", str(acks), "--id", str(first_id)])
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(acks.with_suffix(".log"), "ab"), start_new_session=True)

    def probe(self, host: str, n: int, timeout: float = 60) -> float:
        argv = self.client_command([sys.executable, "-m", "govops.migrate.pgwriter", "probe", "--conninfo",
                                    self.app_conninfo(host), "--id", str(n), "--timeout", str(timeout)])
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 10)
        if out.returncode != 0:
            raise DbStepFailed(f"no write succeeded on {host} within {timeout:.0f} s: {out.stderr[-400:]}")
        return float(out.stdout.split()[-1])


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")


def lab_cluster(lab, inventory: str | Path, system: str, primary: str, client: str,
                standbys: dict[str, str] | None = None) -> LabCluster:
    """Plan and check everything (layout from the SoT, secrets from the vault) before touching the lab:
    a PlanError here means nothing was created, started or changed."""
    from govops.sot import load_inventory

    layout = pg.plan(load_inventory(inventory), system, primary, standbys)
    return LabCluster(lab, layout, pg.secrets(inventory), client)


def read_acks(path: Path) -> dict[int, float]:
    """Acknowledged id -> unix time; a torn last line (the writer was killed mid-write) is ignored."""
    acks = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        parts = line.split()
        if len(parts) == 2:
            try:
                acks[int(parts[0])] = float(parts[1])
            except ValueError:
                continue
    return acks


@dataclass
class Drill:
    cluster: LabCluster
    journal: Path
    work: Path  # the writer's ack file and log
    rpo_objective: float | None = None
    rto_objective: float | None = None
    load_seconds: float = 3.0
    dr_status: Path | None = None
    log: list[dict] = field(default_factory=list)

    def record(self, step: str, outcome: str, detail: str = "", **extra) -> None:
        event = {"system": self.cluster.layout.system, "step": step,
                 "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                 "outcome": outcome, "detail": detail, **extra}
        self.log.append(event)
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")

    def run(self, replication: Replication | str, disaster, promoted=None) -> dict:
        """Fail over to the standby of kind `replication`; `disaster()` takes the primary's network away
        (the lab: a link fault on its uplink); `promoted()`, if given, runs once the standby is
        promoted, before the probe (the lab: lift a delay injected to lose WAL in flight, which
        would otherwise also slow the probe's TLS handshake). Returns the report."""

        c, layout = self.cluster, self.cluster.layout
        repl = Replication(replication)
        target = layout.standby(repl)
        t = dr_tier(layout.tier)
        rpo_obj = self.rpo_objective if self.rpo_objective is not None else t.rpo_seconds(repl)
        rto_obj = self.rto_objective if self.rto_objective is not None else t.rto_s
        rows = c.wait_streaming()
        state = {r["name"]: r for r in rows}
        want = "sync" if repl is Replication.sync_same_city else "async"
        got = state.get(target.app_name, {})
        if got.get("sync_state") != want or not got.get("ssl"):
            self.record("precheck", "failed", f"{target.host}: expected {want} over TLS, found {got}")
            raise DbStepFailed(f"precheck: {target.host} is not an {want} TLS standby: {got}")
        self.record("precheck", "ok", "; ".join(f"{n}: {r['state']} {r['sync_state']} ssl={r['ssl']}"
                                                for n, r in sorted(state.items())))
        acks_path = self.work / "acks.txt"
        self.work.mkdir(parents=True, exist_ok=True)
        acks_path.unlink(missing_ok=True)
        writer = c.start_writer(acks_path)
        try:
            deadline = time.monotonic() + self.load_seconds + 30
            time.sleep(self.load_seconds)
            while len(read_acks(acks_path)) < 20:
                if time.monotonic() > deadline or writer.poll() is not None:
                    raise DbStepFailed(f"the writer acknowledged {len(read_acks(acks_path))} transactions; "
                                       f"log: {acks_path.with_suffix('.log')}")
                time.sleep(0.1)
            t0 = time.time()
            disaster()
            c.kill(layout.primary.host, signal.SIGQUIT)
        finally:
            writer.kill()
            writer.wait(10)
        acks = read_acks(acks_path)
        self.record("disaster", "ok", f"primary {layout.primary.host} cut off and killed (immediate); "
                                      f"{len(acks)} transactions acknowledged")
        c.as_postgres(target.host, [str(bindir() / "pg_ctl"), "-D", c.paths(target.host)["data"], "-w", "-t", "60",
                                    "promote"])
        if promoted:
            promoted()
        t1 = c.probe(target.host, max(acks, default=0) + 1_000_000)
        rto = t1 - t0
        self.record("failover", "ok", f"{target.host} ({target.centre}, {repl.value}) promoted; "
                                      f"a write committed there {rto:.2f} s after the disaster")
        present = {int(x) for x in c.psql(target.host, "SELECT id FROM txlog WHERE id < 1000000;",
                                          db=pg.DATABASE).split()}
        lost = sorted(set(acks) - present)
        newest_present = max((acks[i] for i in acks if i in present), default=t0)
        last_ack = max(acks.values(), default=t0)
        rpo = max(0.0, last_ack - newest_present) if lost else 0.0
        report = {"system": layout.system, "tier": t.level, "tier_name": t.name_en, "promise_rpo": t.rpo,
                  "promise_rto": t.rto, "replication": repl.value, "primary": layout.primary.host,
                  "promoted": target.host, "acknowledged": len(acks), "transactions_lost": len(lost),
                  "lost_ids": lost[:20], "rpo_s": round(rpo, 3), "rto_s": round(rto, 3),
                  "rpo_objective_s": rpo_obj, "rto_objective_s": rto_obj,
                  # zero objective: not one acknowledged transaction may be missing
                  "rpo_ok": (not lost) if rpo_obj == 0 else rpo <= rpo_obj, "rto_ok": rto <= rto_obj}
        for what, measured, objective in (("rpo", f"{len(lost)} acknowledged transactions lost ({rpo:.3f} s)",
                                           rpo_obj), ("rto", f"{rto:.2f} s", rto_obj)):
            detail = f"{what.upper()} {measured} against {objective} s (tier {t.level}: {getattr(t, what)}, {repl.value})"
            if report[f"{what}_ok"]:
                self.record(f"measure_{what}", "ok", detail)
            else:
                self.record(f"measure_{what}", "failure", detail, severity=4,
                            summary=f"DB DR drill {layout.system} -> {target.host}: {what.upper()} breach, {measured} "
                                    f"> {objective} s")
        self.write_status(repl, last_ack, newest_present if lost else last_ack, rpo_obj)
        self.record("report", "ok" if report["rpo_ok"] and report["rto_ok"] else "failure", "", report=report)
        return report

    def failback(self, replication: Replication | str, restore_network) -> dict:
        """After `run`: users keep writing to the promoted standby; the production node is re-cloned
        from it and follows it; a switchover (clean stop, the production node promoted) moves the
        primary back; the other nodes are re-cloned from it. Every transaction acknowledged after the
        failover must be on the production primary, and all standbys must stream again as planned."""
        c, layout = self.cluster, self.cluster.layout
        target, prim = layout.standby(replication), layout.primary
        restore_network()
        acks_path = self.work / "acks-after-failover.txt"
        acks_path.unlink(missing_ok=True)
        writer = c.start_writer(acks_path, host=target.host, first_id=AFTER_FAILOVER_IDS)
        try:
            deadline = time.monotonic() + 30  # the restored network may take a moment (neighbour discovery)
            while True:
                try:
                    c.clone(prim.host, upstream=target)  # the old primary's data is discarded (re-clone)
                    break
                except DbStepFailed as exc:
                    if "pg_basebackup" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            deadline = time.monotonic() + 60
            while prim.app_name not in {r["name"] for r in self._streaming_to(target.host)}:
                if time.monotonic() > deadline:
                    raise DbStepFailed(f"{prim.host} does not stream from {target.host}")
                time.sleep(0.2)
            time.sleep(self.load_seconds)
        finally:
            writer.terminate()
            writer.wait(10)
        acks = read_acks(acks_path)
        # switchover: a fast (clean) shutdown sends every WAL record to the connected standby first
        c.kill(target.host, signal.SIGINT, wait=60)
        c.as_postgres(prim.host, [str(bindir() / "pg_ctl"), "-D", c.paths(prim.host)["data"], "-w", "-t", "60",
                                  "promote"])
        c.write_conf(prim.host, getattr(c, "archive", ""))  # the planned primary again: sync standby named
        c.as_postgres(prim.host, [str(bindir() / "pg_ctl"), "-D", c.paths(prim.host)["data"], "reload"])
        for s in layout.standbys:
            c.kill(s.host, signal.SIGINT)
            c.clone(s.host)
        rows = c.wait_streaming(sync=True)
        present = {int(x) for x in c.psql(prim.host, "SELECT id FROM txlog;", db=pg.DATABASE).split()}
        lost = sorted(set(acks) - present)
        result = {"acknowledged_after_failover": len(acks), "lost_after_failover": len(lost),
                  "streaming": {r["name"]: r["sync_state"] for r in rows}}
        if lost or len(acks) == 0:
            self.record("failback", "failure", f"{len(lost)} of {len(acks)} transactions acknowledged after the "
                        f"failover are missing on {prim.host}", severity=4, result=result,
                        summary=f"DB DR fail-back {layout.system}: {len(lost)} transactions lost")
        else:
            self.record("failback", "ok", f"{prim.host} is primary again with all {len(acks)} transactions "
                        f"acknowledged on {target.host}; standbys streaming: {result['streaming']}", result=result)
        return result

    def repoint(self, replication: Replication | str, timeout: float = 30) -> dict:
        """After `run`: every other standby follows the promoted one. A standby that has not received
        WAL past the promotion's switch point is repointed (primary_conninfo to the new primary, restart;
        PostgreSQL >= 12 follows the latest timeline by default); one that is ahead (it got WAL the
        promoted standby never had: the sync standby when the async one was promoted) cannot follow
        the new timeline and is re-cloned from the new primary (no pg_rewind). {host: how}."""
        c = self.cluster
        target = c.layout.standby(replication)
        # the newest timeline history file on the new primary: its last line is the switch point
        history = c.psql(target.host, "SELECT pg_read_file('pg_wal/' || name) FROM pg_ls_waldir() "
                                      "WHERE name LIKE '%.history' ORDER BY name DESC LIMIT 1;")
        switch = history.strip().splitlines()[-1].split()[1] if history.strip() else None
        if not switch:
            raise DbStepFailed(f"{target.host}: no timeline history after promotion")
        out = {}
        for s in c.layout.standbys:
            if s.host == target.host:
                continue
            behind = c.psql(s.host, "SELECT greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) "
                                    f"<= '{switch}'::pg_lsn;", check=False) == "t"
            if behind:
                c.kill(s.host, signal.SIGINT)
                c.write_conf(s.host, upstream=target)
                c.start(s.host)
                how = "repointed"
            else:
                c.kill(s.host, signal.SIGINT)
                c.clone(s.host, upstream=target)
                how = "re-cloned"
            deadline = time.monotonic() + timeout
            while s.app_name not in {r["name"] for r in self._streaming_to(target.host)}:
                if time.monotonic() > deadline:
                    self.record("repoint", "failed", f"{s.host} ({how}) does not stream from {target.host}")
                    raise DbStepFailed(f"{s.host} ({how}) does not stream from {target.host}; log: "
                                       f"{c.paths(s.host)['log']}")
                time.sleep(0.2)
            out[s.host] = how
        self.record("repoint", "ok", "; ".join(f"{h} {how}, streaming from {target.host}" for h, how in out.items())
                    + f" (switch point {switch})", result=out)
        return out

    def _streaming_to(self, host: str) -> list[dict]:
        out = self.cluster.psql(host, "SELECT coalesce(json_agg(json_build_object('name', application_name)), '[]') "
                                      "FROM pg_stat_replication WHERE state = 'streaming';")
        return json.loads(out)

    def write_status(self, repl: Replication, primary_ts: float, replica_ts: float, rpo_obj: float) -> None:
        """One line for the DR exporter's status file (monitoring/migration/dr.py)."""
        if not self.dr_status:
            return

        def iso(ts: float) -> str:
            return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")

        line = {"system": self.cluster.layout.system, "observed_at": iso(time.time()), "primary_data_ts": iso(primary_ts),
                "replica_data_ts": iso(replica_ts), "replication": repl.value, "rpo_seconds": rpo_obj,
                "source": "pg-dr-drill"}
        self.dr_status.parent.mkdir(parents=True, exist_ok=True)
        with self.dr_status.open("a") as fh:
            fh.write(json.dumps(line) + "\n")
