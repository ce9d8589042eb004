"""Backups that restore: pgBackRest full backup + WAL archiving, point-in-time restore test.

The repository lives on the remote DR centre's host (`<run_dir>/pg/<remote host>/pgbackrest`,
written only by the pgbackrest running in that host's namespace). Both sides run pgBackRest's
TLS server (`pgbackrest server`, `repo1-host-type=tls` / `pg1-host-type=tls`, port 8432) with
certificates from the lab CA: the primary's `archive-push` reaches the repository over the data
network to Fenyi, and the backup runs on the repository host, reading the primary over TLS. The
restore test
runs in the remote host's namespace into a scratch directory with its own socket and no TCP
listener, recovers to a chosen time (`--type=time`) and compares the reference table's row count
and checksum with the values read on the primary at that time. Each result is one JSON line in
the backup status file the DR exporter reads (monitoring/migration/dr.py: backup age, restore
test result).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from govops.migrate import pg
from govops.migrate.pgdr import DbStepFailed, LabCluster, bindir

PGBACKREST = "/usr/bin/pgbackrest"
SCRATCH_PORT = 5433
BACKUP_TYPES = ("full", "diff", "incr")  # pgBackRest's --type for backup
TLS_PORT = 8432  # pgBackRest's default tls-server-port
ARCHIVE_IO_TIMEOUT = 10  # seconds
# what the restore test compares: count and an order-independent digest of every row
CHECKSUM_SQL = ("SELECT count(*) || ' ' || coalesce(md5(string_agg(id::text || ':' || payload, ',' ORDER BY id)), '-') "
                "FROM txlog;")


@dataclass
class Backups:
    cluster: LabCluster
    status: Path | None = None  # backup status JSON lines for the DR exporter

    @property
    def stanza(self) -> str:
        return self.cluster.layout.system

    @property
    def repo_host(self) -> str:
        """The remote DR centre's node (the async standby) holds the repository."""
        remote = [n for n in self.cluster.layout.standbys if n.kind == "async-remote"]
        if not remote:
            raise DbStepFailed(f"{self.stanza}: the tier has no remote DR centre to keep backups in")
        return remote[0].host

    def conf(self, host: str) -> Path:
        """Each side's own config file: the primary's (archive-push, its TLS server for the backup)
        and the repository host's (the repository, its TLS server for archive-push)."""
        return self.cluster.base / f"pgbackrest-{host}.conf"

    def archive_command(self) -> str:
        prim = self.cluster.layout.primary.host
        # io-timeout: an unreachable repository fails the push within 10 s (pg_stat_archiver counts it,
        # the archiver retries) instead of pgBackRest's 60 s of connection retries per segment
        return f"{PGBACKREST} --config={self.conf(prim)} --stanza={self.stanza} --io-timeout={ARCHIVE_IO_TIMEOUT} archive-push %p"

    def write_conf(self) -> None:
        """Both configs, then both `pgbackrest server`s: everything between the centres goes over the
        Fenyi link, TLS both ways, each side authorising the other's client certificate by CN."""
        c, layout = self.cluster, self.cluster.layout
        prim, remote = layout.primary, layout.node(self.repo_host)
        pp, rp = c.paths(prim.host), c.paths(remote.host)
        repo = Path(rp["dir"]) / "pgbackrest"
        common = ["[global]", "compress-type=lz4", "start-fast=y", "log-level-console=warn",
                  "log-level-file=info", f"tls-server-port={TLS_PORT}"]
        for p in (pp, rp):
            for d in (Path(p["dir"]) / "pgbackrest-log", Path(p["dir"]) / "pgbackrest-lock"):
                d.mkdir(parents=True, exist_ok=True)
                shutil.chown(d, "postgres", "postgres")
        repo.mkdir(parents=True, exist_ok=True)
        shutil.chown(repo, "postgres", "postgres")

        def own(node, p, peer) -> list[str]:
            tls = p["tls"]
            return [f"log-path={p['dir']}/pgbackrest-log", f"lock-path={p['dir']}/pgbackrest-lock",
                    f"tls-server-address={node.addr}", f"tls-server-cert-file={tls}/pgbr-server.crt",
                    f"tls-server-key-file={tls}/pgbr-server.key", f"tls-server-ca-file={tls}/ca.crt",
                    f"tls-server-auth={peer.host}={self.stanza}"]

        self.conf(prim.host).write_text("\n".join([
            "# rendered by govops/migrate/pgbackup.py: the primary's side", *common, *own(prim, pp, remote),
            # repo1-path: a path on the repository host (the client sends it to the server there)
            f"repo1-host={remote.addr}", "repo1-host-type=tls", f"repo1-path={repo}", f"repo1-host-cert-file={pp['tls']}/pgbr-client.crt",
            f"repo1-host-key-file={pp['tls']}/pgbr-client.key", f"repo1-host-ca-file={pp['tls']}/ca.crt",
            "", f"[{self.stanza}]", f"pg1-path={pp['data']}", f"pg1-socket-path={pp['sock']}", f"pg1-port={pg.PORT}",
            ""]))
        self.conf(remote.host).write_text("\n".join([
            "# rendered by govops/migrate/pgbackup.py: the repository's side (remote DR centre)", *common,
            *own(remote, rp, prim), f"repo1-path={repo}", "repo1-retention-full=2",
            "", f"[{self.stanza}]", f"pg1-host={prim.addr}", "pg1-host-type=tls",
            f"pg1-host-cert-file={rp['tls']}/pgbr-client.crt", f"pg1-host-key-file={rp['tls']}/pgbr-client.key",
            f"pg1-host-ca-file={rp['tls']}/ca.crt", f"pg1-path={pp['data']}", f"pg1-socket-path={pp['sock']}",
            f"pg1-port={pg.PORT}", ""]))
        for host in (prim.host, remote.host):
            argv = c.lab.command(host, ["runuser", "-u", "postgres", "--", PGBACKREST, f"--config={self.conf(host)}",
                                        "server"])
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=open(c.base / f"pgbackrest-server-{host}.log", "ab"),
                                    start_new_session=True)
            (c.base / f"pgbackrest-server-{host}.pid").write_text(str(proc.pid))
        self.wait_server(remote.host)

    def wait_server(self, host: str, timeout: float = 15) -> None:
        """Until the repository host's server answers (`server-ping` from the primary's side)."""
        prim = self.cluster.layout.primary.host
        deadline = time.monotonic() + timeout
        while True:
            out = self.cluster.as_postgres(prim, [PGBACKREST, f"--config={self.conf(prim)}",
                                                  f"--tls-server-address={self.cluster.layout.node(host).addr}",
                                                  "server-ping"], check=False)
            if out.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise DbStepFailed(f"pgbackrest server on {host} does not answer: {out.stderr[-400:]}")
            time.sleep(0.2)

    def pgbackrest(self, host: str, *args: str, timeout: float = 120) -> str:
        return self.cluster.as_postgres(host, [PGBACKREST, f"--config={self.conf(host)}", f"--stanza={self.stanza}",
                                               *args], timeout=timeout).stdout

    def full_backup(self) -> dict:
        """stanza-create, check (archiving works), a full backup; returns pgBackRest's info for it."""
        repo = self.repo_host  # pgBackRest runs backups on the repository host, reaching pg over TLS
        self.pgbackrest(repo, "stanza-create")
        self.pgbackrest(repo, "check")
        return self.backup("full")

    def backup(self, kind: str) -> dict:
        """One backup of `kind` (full, diff, incr: an incr copies what changed since the newest
        backup of any type, so it needs a full first); returns pgBackRest's info for it."""
        if kind not in BACKUP_TYPES:
            raise DbStepFailed(f"{self.stanza}: backup type {kind!r}: expected one of {', '.join(BACKUP_TYPES)}")
        repo = self.repo_host
        self.pgbackrest(repo, f"--type={kind}", "backup", timeout=300)
        info = json.loads(self.pgbackrest(repo, "--output=json", "info"))
        last = info[0]["backup"][-1]
        self.write_status({"backup_type": last["type"], "backup_label": last["label"],
                           "backup_stop": iso(last["timestamp"]["stop"])})
        # pgBackRest keeps stop times in whole seconds and refuses a restore target not after one
        # ("unable to find backup set with stop time less than ..."): let that second pass
        while time.time() < last["timestamp"]["stop"] + 1.05:
            time.sleep(0.1)
        return last

    def reference(self, host: str | None = None) -> tuple[str, str]:
        """(server time, "count md5") of the reference table, read in one statement."""
        host = host or self.cluster.layout.primary.host
        out = self.cluster.psql(host, "SELECT clock_timestamp() || '|' || (" + CHECKSUM_SQL.rstrip(";") + ");",
                                db=pg.DATABASE)
        when, _, digest = out.partition("|")
        return when, digest

    def reference_point(self) -> tuple[str, str]:
        """The reference now, then a commit after it (recovery to a time needs a later commit record
        to know it got there) and a WAL switch (so the WAL holding it reaches the repository)."""
        when, digest = self.reference()
        self.cluster.psql(self.cluster.layout.primary.host,
                          "CREATE TABLE IF NOT EXISTS dr_restore_mark (at timestamptz NOT NULL);\n"
                          "INSERT INTO dr_restore_mark VALUES (clock_timestamp());", db=pg.DATABASE)
        self.switch_wal()
        return when, digest

    def switch_wal(self) -> None:
        self.cluster.psql(self.cluster.layout.primary.host, "SELECT pg_switch_wal();")

    def restore_test(self, target_time: str, expected: str, timeout: float = 90) -> dict:
        """Restore (full + WAL to `target_time`) into a scratch dir on the remote host; compare."""
        c, host = self.cluster, self.repo_host
        scratch = c.base / host / "restore-test"
        sock = scratch / "sock"
        c.lab.run(host, ["rm", "-rf", str(scratch)])
        c.as_postgres(host, ["mkdir", "-p", str(scratch / "data"), str(sock)])
        self.pgbackrest(host, "--reset-pg1-host", f"--pg1-path={scratch / 'data'}", "--type=time", f"--target={target_time}",
                        "--target-action=promote", "restore", timeout=300)
        # the scratch copy must not listen, archive into the repository or wait for a sync standby
        (scratch / "data" / "govops.conf").write_text("\n".join([
            "# restore test scratch instance (govops/migrate/pgbackup.py)",
            "listen_addresses = ''", f"port = {SCRATCH_PORT}", f"unix_socket_directories = '{sock}'",
            "archive_mode = off", "synchronous_standby_names = ''", "ssl = off", "shared_buffers = 16MB", ""]))
        log = scratch / "postgres.log"
        started = c.as_postgres(host, [str(bindir() / "pg_ctl"), "-D", str(scratch / "data"), "-l", str(log), "-w",
                                       "-t", str(int(timeout)), "start"], timeout=timeout + 10, check=False)
        try:
            if started.returncode != 0:
                tail = log.read_text(errors="replace")[-1500:] if log.exists() else "(no log)"
                raise DbStepFailed(f"restore test: the restored instance did not start:\n{tail}")
            deadline = time.monotonic() + timeout
            psql = [str(bindir() / "psql"), "-h", str(sock), "-p", str(SCRATCH_PORT), "-d", pg.DATABASE, "-XAtq"]
            while c.as_postgres(host, [*psql, "-c", "SELECT pg_is_in_recovery();"], check=False).stdout.strip() != "f":
                if time.monotonic() > deadline:
                    raise DbStepFailed(f"restore test: recovery to {target_time} did not end; see {log}")
                time.sleep(0.2)
            got = c.as_postgres(host, [*psql, "-c", CHECKSUM_SQL]).stdout.strip()
        finally:
            c.as_postgres(host, [str(bindir() / "pg_ctl"), "-D", str(scratch / "data"), "-m", "immediate", "stop"],
                          check=False)
            c.lab.run(host, ["rm", "-rf", str(scratch)])
        result = {"target_time": target_time, "expected": expected, "restored": got, "ok": got == expected}
        self.write_status({"restore_test_ok": result["ok"], "restore_target": target_time})
        return result

    def archive_status(self) -> dict:
        """pg_stat_archiver on the primary (archive_command = pgbackrest archive-push) as one status
        line: failures since the stats reset, the last failure and the last success. A last failure
        newer than the last success means WAL is piling up on the primary unarchived (the alert
        DRArchiveFailing): point-in-time restore stops at the last archived segment."""
        out = self.cluster.psql(self.cluster.layout.primary.host, "SELECT json_build_object("
                                "'failed_count', failed_count, 'archived_count', archived_count, "
                                "'last_failed_time', extract(epoch FROM last_failed_time), "
                                "'last_archived_time', extract(epoch FROM last_archived_time), "
                                "'last_failed_wal', last_failed_wal) FROM pg_stat_archiver;")
        row = json.loads(out)
        fields = {"archive_failed_count": int(row["failed_count"]), "archive_archived_count": int(row["archived_count"]),
                  "archive_last_failed": iso(row["last_failed_time"]) if row["last_failed_time"] else None,
                  "archive_last_archived": iso(row["last_archived_time"]) if row["last_archived_time"] else None,
                  "archive_last_failed_wal": row["last_failed_wal"], "database_host": self.cluster.layout.primary.host}
        self.write_status(fields)
        return fields

    def write_status(self, fields: dict) -> None:
        if not self.status:
            return
        line = {"system": self.stanza, "observed_at": iso(time.time()), "repository_host": self.repo_host,
                "source": "pgbackrest", **fields}
        self.status.parent.mkdir(parents=True, exist_ok=True)
        with self.status.open("a") as fh:
            fh.write(json.dumps(line) + "\n")


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")
