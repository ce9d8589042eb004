"""The SNMP exporter's text exposition is byte-identical to prometheus_client's generate_latest()."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, UnknownMetricFamily
from prometheus_client.registry import CollectorRegistry

from monitoring.snmp.collector import _scrape_metrics
from monitoring.snmp.exposition import render
from monitoring.snmp.mapping import IF_ALIAS, IF_DESCR, IF_HIGH_SPEED, IF_NAME, MODULES, InterfaceLabels
from monitoring.snmp.transport import WalkStats

IFX = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
TRICKY = ['to core-2 "A"', "back\\slash", "two\nlines", "新余 政务外网", "", "trailing\x00"]


def oracle(families) -> bytes:
    class One:
        def collect(self):
            return iter(families)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(One())
    return generate_latest(registry)


def if_mib_families(n: int):
    static = {IF_NAME: {(i,): f"GE0/0/{i}".encode() for i in range(1, n + 1)},
              IF_DESCR: {(i,): f"GigabitEthernet0/0/{i}".encode() for i in range(1, n + 1)},
              IF_ALIAS: {(i,): TRICKY[i % len(TRICKY)].encode() for i in range(1, n + 1)},
              IF_HIGH_SPEED: {(i,): 1000 for i in range(1, n + 1)}}
    table = {**static, IFX + (6,): {(i,): 2**64 - i for i in range(1, n + 1)},
             IFX + (10,): {(i,): 0 for i in range(1, n + 1)}}
    return list(MODULES["if_mib"].to_metrics(table, {}, InterfaceLabels(static)))


def test_a_scrape_renders_exactly_as_generate_latest():
    fams = if_mib_families(40)
    fams += list(MODULES["system"].to_metrics({}, {(1, 3, 6, 1, 2, 1, 1, 3, 0): 7,
                                                   (1, 3, 6, 1, 2, 1, 1, 5, 0): b'core "1"'}, None))
    fams += _scrape_metrics(1, 0.123456789, WalkStats(pdus=3, varbinds=30))
    doc = GaugeMetricFamily("help_escapes", "a \\ backslash\nand a newline", labels=["x"])
    doc.add_metric(["1"], float("nan"))
    doc.add_metric(["2"], float("inf"))
    fams.append(doc)
    fams += list(MODULES["huawei"].to_metrics({}, {}, None))  # empty families (vendor MIB absent)
    body = render(fams)
    assert body == oracle(fams)
    assert b'ifAlias="to core-2 \\"A\\""' in body and "新余".encode() in body


def test_other_types_and_utf8_names_fall_back_to_generate_latest():
    counter = CounterMetricFamily("govops_things", "Things.", labels=["a"])
    counter.add_metric(["x"], 3)
    utf8 = UnknownMetricFamily("if.name", "A name that needs UTF-8 escaping.", labels=["b"])
    utf8.add_metric(["y"], 1)
    label = GaugeMetricFamily("ok_name", "A label name that needs escaping.", labels=["if.label"])
    label.add_metric(["z"], 1)
    for extra in (counter, utf8, label):
        fams = [*if_mib_families(3), extra]
        assert render(fams) == oracle(fams)
