"""Prometheus text format (0.0.4) for one scrape's gauge and untyped families.

prometheus_client's generate_latest() validates and escapes every label name and value of every
sample (~6 µs each; a 500-interface if_mib scrape has 6000 samples, a third of its CPU). Here a
label set is escaped once and reused: an interface's four labels recur in every column. The
output is byte-identical to generate_latest() (tests/unit/monitoring/test_snmp_exposition.py
checks that); families of any other type, or with names that need UTF-8 escaping, go through
generate_latest() itself.
"""

from __future__ import annotations

import re

from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry
from prometheus_client.utils import floatToGoString

_TYPES = {"gauge": "gauge", "unknown": "untyped"}
# Names that need no UTF-8 quoting (Prometheus data model); others go through generate_latest().
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class _Families:
    """A one-shot collector so generate_latest() renders a scrape's families."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return iter(self.families)


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _generate_latest(families) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return generate_latest(registry)


def _simple(fam) -> bool:
    return (fam.type in _TYPES and _METRIC_NAME.fullmatch(fam.name)
            and all(s.name == fam.name and s.timestamp is None and s.exemplar is None for s in fam.samples))


def render(families) -> bytes:
    families = list(families)
    if not all(map(_simple, families)):
        return _generate_latest(families)
    out: list[str] = []
    labelsets: dict[tuple, str] = {}
    for fam in families:
        doc = fam.documentation.replace("\\", r"\\").replace("\n", r"\n")
        out.append(f"# HELP {fam.name} {doc}\n# TYPE {fam.name} {_TYPES[fam.type]}\n")
        for s in fam.samples:
            key = tuple(s.labels.items())
            text = labelsets.get(key)
            if text is None:
                if not all(map(_LABEL_NAME.fullmatch, s.labels)):
                    return _generate_latest(families)
                pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
                text = labelsets[key] = "{" + pairs + "}" if pairs else ""
            out.append(f"{s.name}{text} {floatToGoString(s.value)}\n")
    return "".join(out).encode()
