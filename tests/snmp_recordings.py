"""Real SNMP recordings (tests/fixtures/real/snmp/health/, LibreNMS snmprec, GPL-3.0) for tests.

`load` gives the rows as the exporter's transport would (int or bytes); `overrides` gives them
as net-snmp `override` lines, so a real snmpd (tests/snmp_agents.py) serves them.
"""

from __future__ import annotations

from tests.paths import ROOT

HEALTH = ROOT / "tests" / "fixtures" / "real" / "snmp" / "health"
SYS_DESCR = "1.3.6.1.2.1.1.1.0"


def _rows(name: str):
    for line in (HEALTH / name).read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        oid, kind, value = line.split("|", 2)
        if kind == "4x":
            yield oid, kind, bytes.fromhex(value)
        elif kind == "4":
            yield oid, kind, value.encode("utf-8", "surrogateescape")
        else:
            yield oid, kind, int(value)


def load(name: str) -> dict[tuple[int, ...], object]:
    """snmpsim `OID|TYPE|VALUE` rows as {OID tuple: int or bytes}."""
    return {tuple(int(p) for p in oid.split(".")): value for oid, _, value in _rows(name)}


def overrides(name: str) -> list[str]:
    """The rows as net-snmp `override` lines (OID TYPE VALUE); sysDescr stays the agent's own."""
    out = []
    for oid, kind, value in _rows(name):
        if oid == SYS_DESCR:
            continue
        out.append(f".{oid} integer {value}" if kind == "2" else f".{oid} octet_str 0x{value.hex()}")
    return out
