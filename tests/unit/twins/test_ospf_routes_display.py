"""`display ip routing-table protocol ospf` (and VRP5's full `display ip routing-table`) on the twins,
offline, checked against the real captures in tests/fixtures/real/<platform>/display_ip_routing-table*:
the vendor's own template reads the twin's output into the fields it reads from the real ones, the
header and status lines are the real ones, the columns start where the real ones start, equal-cost next
hops continue with the destination blank, Destinations counts prefixes and Routes next hops, and FRR's
unselected OSPF routes are counted (and listed) as inactive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govops import vendors
from govops.vendors import parsing
from tests.paths import ROOT
from tests.unit.twins.offline import run, twin

REAL = ROOT / "tests" / "fixtures" / "real"
FOLDER = "display_ip_routing-table_protocol_ospf"
NAMES = {"huawei": ("GigabitEthernet0/0/1", "GigabitEthernet0/0/8"),
         "huawei_vrpv8": ("GigabitEthernet0/0/1", "GigabitEthernet0/0/8"),
         "hp_comware": ("GigabitEthernet1/0/1", "GigabitEthernet1/0/8")}
# FRR's RIB (`show ip route ospf json`): an inter-area loopback, an intra-area loopback over two equal-cost
# next hops, and the OSPF routes for the device's own link and loopback (a stub FRR gives next hop 0.0.0.0)
# that zebra did not select (the direct route wins).
RIB = {"198.18.4.1/32": [{"selected": True, "metric": 21,
                          "nexthops": [{"ip": "198.18.8.2", "interfaceName": "if1", "active": True}]}],
       "198.18.4.2/32": [{"selected": True, "metric": 21,
                          "nexthops": [{"ip": "198.18.8.2", "interfaceName": "if1", "active": True},
                                       {"ip": "198.19.2.5", "interfaceName": "if8", "active": True}]}],
       "198.18.4.21/32": [{"selected": False, "metric": 10,
                           "nexthops": [{"ip": "0.0.0.0", "interfaceName": "lo0", "active": True}]}],
       "198.18.8.2/31": [{"selected": False, "metric": 10,
                          "nexthops": [{"directlyConnected": True, "interfaceName": "if1", "active": True}]}]}
PATHS = {"198.18.4.1/32": {"routeType": "N IA"}, "198.18.4.2/32": {"routeType": "N"}, "198.18.4.21/32": {"routeType": "N"},
         "198.18.8.2/31": {"routeType": "N"}}
ROW = re.compile(r"^\s*\d+\.\d+\.\d+\.\d+/\d+\s|^\s{19,}\S")  # a route, or an equal-cost continuation


def device(platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rib: dict) -> object:
    from lab import frr

    async def show(_directory: Path, command: str) -> dict:
        return rib if command == "show ip route ospf json" else PATHS if command == "show ip ospf route json" else {}

    monkeypatch.setattr(frr, "show", show)
    one, eight = NAMES[platform]
    startup = {"interfaces": {one: {"ipv4": "198.18.8.3/31"}, eight: {"ipv4": "198.19.2.1/24"},
                              "LoopBack0": {"ipv4": "198.18.4.21/32"}}}
    dialect = twin(platform, tmp_path, {one: "if1", eight: "if8", "LoopBack0": "lo0"}, startup)
    dialect.device.frr_dir = tmp_path
    return dialect


def pad(number: re.Match) -> str:
    """A padded number as N__ of its field's width, a bare one as N."""
    return "N" + "_" * (len(number.group()) - 1) if number.group().endswith(" ") else "N"


def frame(text: str, strip: bool = False) -> list[str]:
    """The lines that are not routes, a number and its padding as N__ (the width kept), the protocol as OSPF."""
    lines = [re.sub(r"\d+ +|\d+", pad, line.rstrip() if strip else line)
             for line in text.splitlines() if not ROW.match(line)]
    lines = [re.sub(r"\b(IS-IS|ISIS|BGP|Direct)( Routing| routing|\s*$)", r"OSPF\2", line) for line in lines]
    return lines


def columns(text: str) -> set[tuple[int, ...]]:
    """Where the protocol and next-hop columns start on each route line (and the "/" of a destination)."""
    out = set()
    for line in text.splitlines():
        if ROW.match(line):
            tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]
            proto = next(i for i, (_, word) in enumerate(tokens) if "/" not in word)
            hop = next(i for i, (_, word) in enumerate(tokens) if i > proto + 2 and re.fullmatch(r"[\d.]+", word))
            out.add((tokens[proto][0], tokens[hop][0], line.find("/") if line[0] == " " and "/" in tokens[0][1] else -1))
    return {c for c in out if c[2] >= 0} | {c[:2] + (-1,) for c in out}


def real_samples(platform: str) -> list[Path]:
    return sorted((REAL / platform / FOLDER).glob("*.raw"))


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8", "hp_comware"])
def test_the_template_reads_the_real_captures(platform: str) -> None:
    vendor = vendors.get(platform)
    assert vendor.commands["ospf_routes"] == "display ip routing-table protocol ospf"
    for raw in real_samples(platform):
        rows = parsing.parse(vendor, "ospf_routes", raw.read_text())
        assert rows and all(r["network"] and r["nexthop"] for r in rows), raw.name
        continued = [line for line in raw.read_text().splitlines() if re.match(r"^\s{19,}\S", line)]
        assert len(rows) == sum(1 for line in raw.read_text().splitlines() if ROW.match(line)) and \
            len({(r["network"], r["prefix_length"]) for r in rows}) <= len(rows) - len(continued) + 1, raw.name


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8", "hp_comware"])
def test_the_twin_prints_frrs_ospf_routes_as_the_real_device(platform: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    vendor = vendors.get(platform)
    out = run(device(platform, tmp_path, monkeypatch, RIB), "display ip routing-table protocol ospf").replace("\r", "")
    rows = parsing.parse(vendor, "ospf_routes", out)
    samples = real_samples(platform)
    real_rows = [r for raw in samples for r in parsing.parse(vendor, "ospf_routes", raw.read_text())]
    assert {tuple(sorted(r)) for r in rows} == {tuple(sorted(r)) for r in real_rows}, out  # the same fields
    active = [r for r in rows if r["status"] == "Active"]
    inactive = [r for r in rows if r["status"] == "Inactive"]
    assert [(r["network"], r["nexthop"], r["cost"]) for r in active] == [
        ("198.18.4.1", "198.18.8.2", "21"), ("198.18.4.2", "198.18.8.2", "21"), ("198.18.4.2", "198.19.2.5", "21")], out
    own = [("198.18.4.21", "32"), ("198.18.8.2", "31")]  # the device's own OSPF links, not selected by zebra
    assert [(r["network"], r["prefix_length"]) for r in inactive] == ([] if platform == "huawei" else own), out
    if platform == "hp_comware":
        assert [r["protocol"] for r in active] == ["O_INTER", "O_INTRA", "O_INTRA"], out  # FRR's path type
        assert "Summary count : 5\n" in out and "Summary count : 3\n" in out and "Summary count : 2\n" in out, out
        real = next(raw for raw in samples if "inactive" in raw.name).read_text()
        assert frame(out) == frame(real), out
    else:
        assert {r["protocol"] for r in active} == {"OSPF"} and {r["flags"] for r in active} == {"D"}, out
        # Destinations counts prefixes, Routes next hops: 2/3 active, 2/2 inactive (V8), 4/5 in all.
        assert re.search(r"<Active>\n +Destinations : 2 +Routes : 3", out), out
        if platform == "huawei":  # VRP5 lists no inactive OSPF route in any public capture
            assert re.search(r"<Inactive>\n +Destinations : 0 +Routes : 0\n", out), out
            assert re.search(r"OSPF\n +Destinations : 2 +Routes : 3", out), out
        else:
            assert [(r["flags"], r["nexthop"]) for r in inactive] == [("", "198.18.4.21"), ("", "198.18.8.3")], out
            assert re.search(r"<Inactive>\n +Destinations : 2 +Routes : 2\n", out), out
            assert re.search(r"OSPF\n +Destinations : 4 +Routes : 5", out), out
        if platform == "huawei_vrpv8":
            real = next(raw for raw in samples if "inactive" in raw.name).read_text()
            assert frame(out, strip=True) == frame(real, strip=True), out
    # The equal-cost hop continues with the destination blank, in the real columns.
    assert any(re.match(r"^\s{19,}(OSPF|O_INTRA)\s", line) for line in out.splitlines()), out
    assert columns(out) <= set().union(*(columns(raw.read_text()) for raw in samples)), (columns(out), out)


def test_vrp5_header_lines_are_the_captured_ones_when_nothing_is_inactive(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    rib = {k: v for k, v in RIB.items() if v[0]["selected"]}
    out = run(device("huawei", tmp_path, monkeypatch, rib), "display ip routing-table protocol ospf").replace("\r", "")
    for raw in real_samples("huawei"):  # trailing spaces and all
        assert frame(out) == frame(raw.read_text()), (raw.name, out)


def test_vrp5_full_table_continues_equal_cost_hops_as_the_real_one(tmp_path) -> None:  # noqa: ANN001
    """`display ip routing-table` (VRP5): destinations "/"-aligned, OSPF flagged D, an equal-cost next hop
    continued with the destination blank; the project template reads both hops."""
    from lab.twins.kernel import KernelState, RouteState

    dialect = twin("huawei", tmp_path, {"GigabitEthernet0/0/1": "if1", "GigabitEthernet0/0/8": "if8"},
                   {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"},
                                   "GigabitEthernet0/0/8": {"ipv4": "198.19.2.1/24"}}})

    async def state() -> KernelState:
        return KernelState(routes=[RouteState(4, "198.18.4.2/32", "198.18.8.2", "if1", "OSPF", 254, 21),
                                   RouteState(4, "198.18.4.2/32", "198.19.2.5", "if8", "OSPF", 254, 21)])

    dialect.device.kernel.state = state
    out = run(dialect, "display ip routing-table").replace("\r", "")
    rows = parsing.parse(vendors.get("huawei"), "ipv4_routes", out)
    assert [(r["network"], r["nexthop"], r["flags"]) for r in rows if r["protocol"] == "OSPF"] == [
        ("198.18.4.2", "198.18.8.2", "D"), ("198.18.4.2", "198.19.2.5", "D")], out
    real = next((REAL / "huawei" / "display_ip_routing-table").glob("*.raw")).read_text()
    assert frame(out) == frame(real)[: len(frame(out))], out
    assert "      127.0.0.0/8   Direct  0    0           D   127.0.0.1       InLoopBack0" in out, out
    assert columns(out) <= columns(real), (columns(out), out)
    assert re.search(r"Destinations : 5 +Routes : 6 +\n", out), out  # 5 prefixes, 6 next hops
