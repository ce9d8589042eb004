"""Database migration rehearsal: dump/restore with a freeze, verified before cutover, rolled back if not.

A DBA's method for a small database: freeze the source (the database becomes read-only and open
sessions are ended, so nothing changes under the copy), `pg_dump -Fc` it, `pg_restore` into the
target, then compare every table on both sides: row count and an md5 over the rows in a fixed
order. Equal: cutover (the target serves, the source stays frozen as the fallback). Different:
rollback (the target database is dropped, the source is thawed and takes writes again).

Lab: the source is a PostgreSQL instance on an on-prem host, the target one on a cloud host, each
in its host's namespaces with its own directory under `<run_dir>/pg-migrate/` and a local socket
only. LIMIT: the dump file moves through the lab's shared run directory, not over the network.
Steps go to the JSON-lines journal (govops.migrate.system's format).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from govops.migrate.pgdr import DbStepFailed, bindir

PORT = 5434
DATABASE = "govops"


@dataclass
class DbMigration:
    lab: object
    system: str
    source: str
    target: str
    journal: Path
    log: list[dict] = field(default_factory=list)

    @property
    def base(self) -> Path:
        return Path(self.lab.run_dir) / "pg-migrate"

    def dir(self, host: str) -> Path:
        return self.base / host

    def record(self, step: str, outcome: str, detail: str = "", **extra) -> None:
        event = {"system": self.system, "step": step, "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                 "outcome": outcome, "detail": detail, **extra}
        self.log.append(event)
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")

    def pg(self, host: str, argv: list[str], input: str | None = None, check: bool = True) -> str:
        out = self.lab.run(host, ["runuser", "-u", "postgres", "--", *argv], input=input, timeout=120)
        if check and out.returncode != 0:
            raise DbStepFailed(f"{host}: {Path(argv[0]).name} failed ({out.returncode}): {(out.stderr or out.stdout)[-600:]}")
        return out.stdout.strip()

    def sql(self, host: str, sql: str, db: str = DATABASE, check: bool = True) -> str:
        return self.pg(host, [str(bindir() / "psql"), "-h", str(self.dir(host) / "sock"), "-p", str(PORT), "-d", db,
                              "-XAtq", "-v", "ON_ERROR_STOP=1"], input=sql, check=check)

    # -- instances ----------------------------------------------------------------------------------
    def start_instance(self, host: str) -> None:
        d = self.dir(host)
        shutil.rmtree(d, ignore_errors=True)
        (d / "sock").mkdir(parents=True)
        subprocess.run(["chown", "-R", "postgres:postgres", str(d)], check=True)
        self.pg(host, [str(bindir() / "initdb"), "-D", str(d / "data"), "-U", "postgres", "--auth-local=peer",
                       "--no-instructions", "-E", "UTF8", "--locale=C.UTF-8"])
        with (d / "data" / "postgresql.conf").open("a") as fh:
            fh.write(f"\n# govops migration rehearsal: local socket only\nlisten_addresses = ''\nport = {PORT}\n"
                     f"unix_socket_directories = '{d / 'sock'}'\nshared_buffers = 16MB\n")
        self.pg(host, [str(bindir() / "pg_ctl"), "-D", str(d / "data"), "-l", str(d / "postgres.log"), "-w", "start"])

    def stop_instance(self, host: str) -> None:
        pidfile = self.dir(host) / "data" / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        self.pg(host, [str(bindir() / "pg_ctl"), "-D", str(pidfile.parent), "-m", "fast", "-w", "stop"], check=False)
        try:
            os.kill(pid, signal.SIGQUIT)  # if the fast stop did not finish
        except ProcessLookupError:
            pass

    def setup(self, rows: int = 2000) -> None:
        """The source with a service table and a reference table; an empty target instance."""
        self.teardown()
        for host in (self.source, self.target):
            self.start_instance(host)
        self.sql(self.source, f"CREATE DATABASE {DATABASE};", db="postgres")
        self.sql(self.source, "CREATE TABLE licence (id bigint PRIMARY KEY, holder text NOT NULL, issued date NOT NULL);\n"
                              f"INSERT INTO licence SELECT g, 'holder ' || g, DATE '2020-01-01' + g % 1500 "
                              f"FROM generate_series(1, {rows}) g;\n"
                              "CREATE TABLE txlog (id bigint PRIMARY KEY, payload text NOT NULL);\n"
                              "INSERT INTO txlog SELECT g, 'tx ' || g FROM generate_series(1, 300) g;")

    def teardown(self) -> None:
        for host in (self.source, self.target):
            self.stop_instance(host)
        shutil.rmtree(self.base, ignore_errors=True)

    # -- the rehearsal ------------------------------------------------------------------------------
    def fingerprint(self, host: str) -> dict[str, str]:
        """Per table: "rows md5" over the rows as text in a fixed order."""
        tables = self.sql(host, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;").split()
        return {t: self.sql(host, f"SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '-') "
                                  f"FROM {t} x;") for t in tables}

    def run(self, corrupt=None) -> dict:
        """Freeze, dump, restore, verify; cutover or rollback. `corrupt(migration)` runs between restore
        and verify (the rehearsal's injected fault: a lossy copy)."""
        src, dst = self.source, self.target
        self.sql(src, f"ALTER DATABASE {DATABASE} SET default_transaction_read_only = on;\n"
                      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      f"WHERE datname = '{DATABASE}' AND pid <> pg_backend_pid();", db="postgres")
        self.record("freeze", "ok", f"{src}: {DATABASE} read-only, sessions ended")
        dump = self.base / f"{self.system}.dump"
        subprocess.run(["chown", "postgres:postgres", str(self.base)], check=True)
        self.pg(src, [str(bindir() / "pg_dump"), "-h", str(self.dir(src) / "sock"), "-p", str(PORT), "-Fc",
                      "-f", str(dump), DATABASE])
        self.sql(dst, f"DROP DATABASE IF EXISTS {DATABASE};\nCREATE DATABASE {DATABASE};", db="postgres")
        self.pg(dst, [str(bindir() / "pg_restore"), "-h", str(self.dir(dst) / "sock"), "-p", str(PORT), "-d", DATABASE,
                      "--no-owner", "--exit-on-error", str(dump)])
        self.record("copy", "ok", f"pg_dump -Fc on {src}, pg_restore on {dst} ({dump.stat().st_size} bytes)")
        if corrupt:
            corrupt(self)
        before, after = self.fingerprint(src), self.fingerprint(dst)
        diff = {t: {"source": before.get(t), "target": after.get(t)} for t in sorted(set(before) | set(after))
                if before.get(t) != after.get(t)}
        if not diff:
            self.record("verify", "ok", f"{len(before)} tables: row counts and checksums equal", tables=before)
            self.record("cutover", "ok", f"{dst} serves {DATABASE}; {src} stays frozen as the fallback")
            return {"outcome": "cutover", "tables": before}
        self.record("verify", "failed", f"differs: {', '.join(diff)}", diff=diff, severity=4,
                    summary=f"DB migration {self.system}: verification failed, rolling back")
        self.sql(dst, f"DROP DATABASE {DATABASE};", db="postgres")
        self.sql(src, f"ALTER DATABASE {DATABASE} RESET default_transaction_read_only;", db="postgres")
        # the source serves again: a write must commit
        self.sql(src, "INSERT INTO txlog VALUES ((SELECT max(id) + 1 FROM txlog), 'after rollback');")
        self.record("rollback", "ok", f"{dst}: {DATABASE} dropped; {src} thawed and takes writes")
        return {"outcome": "rolled back", "diff": diff}
