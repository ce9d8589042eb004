"""SNMP transport against a real net-snmp agent: multi-column GETBULK walks over v2c (pysnmp
v1arch) and v3 authPriv (v3arch), checked against net-snmp's own `snmpbulkwalk`.

Own namespace `gp-snmp-unit` (one snmpd, 30 extra interfaces), removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess

import pytest
from pyroute2 import netns

from monitoring.netns_agents import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, AgentNamespace
from monitoring.snmp.collector import Scraper, StaticCache, Target
from monitoring.snmp.mapping import IF_NAME, MODULES
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient, SnmpError, WalkStats

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not shutil.which("snmpd") or not shutil.which("snmpbulkwalk"), reason="net-snmp needed"),
]

NS = "gp-snmp-unit"
V2 = Credentials(2, community=COMMUNITY)
V3 = Credentials(3, user=V3_USER, auth_key=V3_AUTH, priv_key=V3_PRIV)
IF_MTU = (1, 3, 6, 1, 2, 1, 2, 2, 1, 4)
SYSTEM = (1, 3, 6, 1, 2, 1, 1)          # 8-ish rows: this column closes long before the others
ABSENT = (1, 3, 6, 1, 4, 1, 2011, 6, 3)  # Huawei entity MIB, not in net-snmp
COLUMNS = [IF_NAME, IF_MTU, SYSTEM, ABSENT]


@pytest.fixture(scope="module")
def agent():
    ns = AgentNamespace(NS)
    try:
        ns.create(dummies=30, ipv6=False)
        ns.add_agent("dev-u", 1161)
        yield ns
    finally:
        ns.close()


def run_in_ns(coro_fn):
    """Run a coroutine inside the namespace's network stack (a child keeps the test process clean)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: enter the namespace, run, report the repr of the result
        os.close(r)
        code = 0
        try:
            netns.setns(NS)
            out = repr(asyncio.run(coro_fn()))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out, code = f"ERROR {type(exc).__name__}: {exc}", 1
        os.write(w, out.encode())
        os._exit(code)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 1 << 16):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    if text.startswith("ERROR "):
        raise AssertionError(text)
    return eval(text)  # noqa: S307 - our own child's repr of plain data


def oracle(column) -> dict:
    """snmpbulkwalk's view of a subtree: {index suffix: printed value}."""
    out = subprocess.run(["ip", "netns", "exec", NS, "snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-Oqn", "-Cr7",
                          "127.0.0.1:1161", "." + ".".join(map(str, column))], check=True, capture_output=True,
                         text=True, env={**os.environ, "MIBS": ""}).stdout
    n = len(column)
    rows = {}
    for line in out.splitlines():
        if not line.startswith(".") or "No Such Object" in line:
            continue
        oid, _, value = line.partition(" ")
        rows[tuple(int(p) for p in oid.strip(".").split("."))[n:]] = value.strip('"')
    return rows


def _plain(table) -> dict:
    # ifName as text, ifMtu as int, the system subtree by index only (uptime moves).
    return {"name": {k: bytes(v).decode() for k, v in table[IF_NAME].items()},
            "mtu": {k: int(v) for k, v in table[IF_MTU].items()},
            "system": sorted(table[SYSTEM]), "absent": table[ABSENT]}


def walk_all(creds: Credentials, max_repetitions: int):
    async def go():
        client, stats = SnmpClient(), WalkStats()
        table = await client.walk_columns(Endpoint("127.0.0.1", 1161, max_repetitions=max_repetitions),
                                          creds, COLUMNS, stats)
        return _plain(table), stats.pdus, stats.varbinds, len(client._engines)
    return run_in_ns(go)


@pytest.mark.parametrize("max_repetitions", [3, 25])
def test_v2c_multi_column_walk_matches_snmpbulkwalk(agent, max_repetitions):
    got, pdus, varbinds, engines = walk_all(V2, max_repetitions)
    names, mtus = oracle(IF_NAME), oracle(IF_MTU)
    assert len(names) >= 31 and got["name"] == names
    assert got["mtu"] == {k: int(v) for k, v in mtus.items()}
    assert got["system"] == sorted(oracle(SYSTEM)) and len(got["system"]) >= 5
    assert got["absent"] == {}
    assert varbinds == len(names) + len(mtus) + len(got["system"])
    # All columns share the GETBULKs: as many PDUs as the longest subtree alone needs (+1 to see its end).
    longest = max(len(names), len(mtus), len(got["system"]))
    assert pdus <= -(-longest // max_repetitions) + 1
    assert engines == 0, "v2c must go through v1arch, not build an SnmpEngine"


def test_v3_authpriv_walk_equals_v2c(agent):
    got3, pdus, _, engines = walk_all(V3, 10)
    got2, _, _, _ = walk_all(V2, 10)
    assert got3 == got2 and pdus > 1 and engines == 1


def test_get_and_single_subtree_walk(agent):
    async def go():
        client, stats = SnmpClient(), WalkStats()
        ep = Endpoint("127.0.0.1", 1161)
        got = {}
        for label, creds in (("v2", V2), ("v3", V3)):
            scalars = await client.get(ep, creds, [(1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 3, 6, 1, 2, 1, 1, 99, 0)], stats)
            rows = await client.walk(ep, creds, IF_NAME, stats)
            got[label] = ({k: bytes(v).decode() for k, v in scalars.items()}, [o for o, _ in rows])
        return got
    got = run_in_ns(go)
    assert got["v2"] == got["v3"]
    scalars, oids = got["v2"]
    assert scalars == {(1, 3, 6, 1, 2, 1, 1, 5, 0): "dev-u"}  # the absent OID is dropped, not an error
    assert oids == [IF_NAME + k for k in oracle(IF_NAME)]


def test_dead_agent_and_wrong_community_fail_without_stalling_a_live_walk(agent):
    async def go():
        client = SnmpClient()
        live, dead = Endpoint("127.0.0.1", 1161, timeout=0.3, retries=0), Endpoint("127.0.0.1", 1199, timeout=0.3,
                                                                                     retries=0)
        res = await asyncio.gather(client.walk_columns(dead, V2, [IF_NAME], WalkStats()),
                                   client.walk_columns(live, Credentials(2, community="wrong"), [IF_NAME], WalkStats()),
                                   client.walk_columns(live, V2, [IF_NAME], WalkStats()),
                                   return_exceptions=True)
        return [type(r).__name__ if isinstance(r, Exception) else len(r[IF_NAME]) for r in res]
    dead, wrong, live = run_in_ns(go)
    assert dead == SnmpError.__name__ and wrong == SnmpError.__name__
    assert live == len(oracle(IF_NAME))


def test_scrape_refreshes_static_columns_in_the_same_walk_and_then_uses_the_cache(agent):
    async def go():
        client = SnmpClient()
        scraper = Scraper(client, StaticCache(max_age=300))
        target = Target("dev-u", Endpoint("127.0.0.1", 1161), V2)
        out = []
        for _ in range(2):
            fams = await scraper.scrape(target, [MODULES["if_mib"]], 5.0)
            by = {f.name: f for f in fams}
            out.append((by["snmp_up"].samples[0].value, by["snmp_scrape_pdus_returned"].samples[0].value,
                        sorted({s.labels["ifName"] for s in by["ifHCInOctets"].samples}),
                        len(by["ifHighSpeed"].samples)))
        return out
    (up1, vb1, names1, hs1), (up2, vb2, names2, hs2) = run_in_ns(go)
    assert up1 == up2 == 1
    assert names1 == names2 == sorted(oracle(IF_NAME).values())
    assert hs1 == hs2 == len(names1)
    n = len(names1)
    assert vb1 - vb2 == 4 * n, "the first scrape walks ifName/ifDescr/ifAlias/ifHighSpeed, the second reuses them"


def test_a_response_the_fast_reader_rejects_goes_through_pysnmps_pyasn1_path(agent):
    async def go():
        from monitoring.snmp import ber

        def refuse(_data):
            raise ber.BerError("forced")
        ber.decode_response = refuse  # only in this forked child
        client, stats = SnmpClient(), WalkStats()
        table = await client.walk_columns(Endpoint("127.0.0.1", 1161, max_repetitions=10), V2, COLUMNS, stats)
        return _plain(table)
    assert run_in_ns(go) == walk_all(V2, 10)[0]
