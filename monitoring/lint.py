"""`promtool check metrics` with the one finding govops accepts on purpose.

promtool 2.42 flags camelCase metric and label names. The SNMP exporter keeps
snmp_exporter's MIB names (`ifHCInOctets`, label `ifName`) so community dashboards work —
"Writing exporters" allows well-known MIB names — so exactly those findings are tolerated,
and only for metrics named after MIB objects; every other finding is reported.
"""

from __future__ import annotations

import re
import subprocess

CAMEL = re.compile(r"^(?P<metric>\S+) (metric|label) names should be written in 'snake_case' not 'camelCase'$")


def mib_named(metric: str) -> bool:
    # govops_health_*: snake_case names, labels named after ENTITY-MIB objects (entPhysicalName).
    return bool(re.fullmatch(r"(if|ip|sys|hw|hh3c|ospf|snmp_system_info|govops_health_)[A-Za-z0-9_]*", metric))


def promtool_findings(exposition: bytes) -> list[str]:
    """promtool's findings on an exposition, minus MIB-name camelCase ones; [] means clean."""
    proc = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True)
    lines = (proc.stdout + proc.stderr).decode().splitlines()
    findings = []
    for line in lines:
        m = CAMEL.match(line.strip())
        if line.strip() and not (m and mib_named(m["metric"])):
            findings.append(line.strip())
    if proc.returncode not in (0, 3) and not findings:
        findings.append(f"promtool exited {proc.returncode}")
    return findings
