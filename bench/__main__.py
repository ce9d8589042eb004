"""`make bench`: every benchmark, each side by side with its peer in one run.

Results are printed and recorded in bench/<name>/RESULTS.md by each script; ratios, never
timed assertions. Needs root for the lab-based ones (they build their own namespaces).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("lab up time and idle memory (lab and city)", ["lab/bench_lab.py"]),
    ("backup and drift: govops vs Nornir + nornir_netmiko (city twin)", ["net/backup_drift.py", "-i", "inventories/xinyu"]),
    ("SNMP exporter: govops vs prometheus-snmp-exporter", ["snmp_exporter/run.py"]),
    ("SA forwarder vs rsyslog (TLS, spool)", ["sa_forwarder/run.py"]),
    ("Pulumi program of the city under mocks", ["pulumi/bench_mocks.py"]),
    ("OSPF/OSPFv3 convergence after an uplink fault (lab)", ["routing/convergence.py"]),
]


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = []
    for title, (script, *args) in BENCHES:
        if wanted and Path(script).parts[0] not in wanted:
            continue
        print(f"== {title}: bench/{script} {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE.parent).returncode != 0:
            failed.append(script)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
