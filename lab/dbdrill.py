"""`python -m lab.dbdrill ACTION`: the database DR drill driven on a running lab (as root).

The cluster, the drill and the backups are govops.migrate's (pgdr, pgbackup); this module only
finds the lab and injects the disaster (the primary's uplink down), so the production package never
imports the lab (DESIGN.md, "Layers"). Called by playbooks/dr_drill.yml (operation db-*).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govops.cloud.dr import Replication
from govops.migrate import pg
from govops.migrate.pgbackup import Backups
from govops.migrate.pgdr import DbStepFailed, Drill, lab_cluster
from govops.sot import load_inventory
from lab.faults import link
from lab.state import Lab, LabNotRunning


def main(argv: list[str] | None = None) -> int:
    """`python -m lab.dbdrill ACTION`: the database DR operations on a lab (as root).

    setup (cluster + WAL archiving), drill (needs --replication), backup (--backup-type full|diff|incr),
    restore-test, archive-status (pg_stat_archiver into the DR status), teardown.
    Prints one JSON object (the report, or the error); exit 1 on failure, 2 on bad input."""
    ap = argparse.ArgumentParser(prog="python -m lab.dbdrill")
    ap.add_argument("action", choices=("setup", "drill", "backup", "restore-test", "archive-status", "teardown"))
    ap.add_argument("--prefix", required=True, help="the lab prefix")
    ap.add_argument("--inventory", default="inventories/lab")
    ap.add_argument("--system", default="data-exchange")
    ap.add_argument("--primary", default="cloud-prod-1")
    ap.add_argument("--client", default="dept-srv-1", help="host whose network the writer and probe use")
    ap.add_argument("--replication", choices=[r.value for r in Replication])
    ap.add_argument("--journal", type=Path, default=Path("journal/dr-drill.jsonl"))
    ap.add_argument("--dr-status", type=Path, default=Path("journal/dr-status.jsonl"))
    ap.add_argument("--work", type=Path, default=Path("journal/db-drill"))
    ap.add_argument("--backup-type", choices=("full", "diff", "incr"), default="full",
                    help="backup: full (creates the stanza first) or diff/incr on top of the newest backup")
    ap.add_argument("--rpo-objective", type=float)
    ap.add_argument("--rto-objective", type=float)
    ap.add_argument("--failback", action="store_true", help="drill: fail back to the production node afterwards")
    a = ap.parse_args(argv)
    try:
        lab = Lab.load(a.prefix)
        cluster = lab_cluster(lab, a.inventory, a.system, a.primary, a.client)
    except (pg.PlanError, LabNotRunning, OSError, KeyError, ValueError) as exc:
        print(json.dumps({"failed": True, "msg": str(exc)}))
        return 2
    backups = Backups(cluster, a.dr_status)
    up = load_inventory(a.inventory).hosts[cluster.layout.primary.host].uplink
    uplink = f"{up.device}:{up.interface}"
    try:
        if a.action == "setup":
            cluster.setup(backups=backups)
            out = {"replication": cluster.wait_streaming(sync=True)}
        elif a.action == "teardown":
            cluster.teardown()
            link(lab, uplink, "up")  # the drill's disaster, if one ran
            out = {"removed": str(cluster.base)}
        elif a.action == "backup":
            out = backups.full_backup() if a.backup_type == "full" else backups.backup(a.backup_type)
        elif a.action == "archive-status":
            out = backups.archive_status()
        elif a.action == "restore-test":
            when, reference = backups.reference_point()
            out = backups.restore_test(when, reference)
        else:
            if not a.replication:
                raise DbStepFailed("drill: --replication sync-same-city|async-remote is required")
            drill = Drill(cluster, a.journal, a.work, a.rpo_objective, a.rto_objective, dr_status=a.dr_status)
            out = drill.run(a.replication, lambda: link(lab, uplink, "down"))
            out["repoint"] = drill.repoint(a.replication)  # the other standby follows the new primary
            if a.failback:
                out["failback"] = drill.failback(a.replication, lambda: link(lab, uplink, "up"))
    except DbStepFailed as exc:
        print(json.dumps({"failed": True, "msg": str(exc)}))
        return 1
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
