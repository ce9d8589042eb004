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

from monitoring.snmp.collector import Scraper, StaticCache, Target
from monitoring.snmp.mapping import IF_NAME, MODULES
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient, SnmpError, WalkStats
from tests.snmp_agents import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, AgentNamespace, run_in_namespace

pytestmark = [
    pytest.mark.lab,
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


GBK_ALIAS = "上联-核心交换机"  # a description as Chinese gear stores it: GBK bytes, no charset


@pytest.fixture(scope="module")
def agent():
    ns = AgentNamespace(NS)
    try:
        ns.create(dummies=30, ipv6=False)
        ns.add_agent("dev-u", 1161)
        idx = ns.ifindexes()
        # Older ZTE ZXR10: IF-MIB without ifXTable (no ifName, no HC counters, no ifHighSpeed).
        ns.add_agent("dev-old", 1163, {"gmd0": "gei-0/1/0/1"}, if_x_table=False)
        # One text value in a numeric column, and a GBK ifAlias.
        ns.add_agent("dev-bad", 1164, overrides=[
            f'.1.3.6.1.2.1.2.2.1.8.{idx["gmd2"]} octet_str "N/A"',
            f".1.3.6.1.2.1.31.1.1.1.18.{idx['gmd3']} octet_str 0x{GBK_ALIAS.encode('gbk').hex()}"])
        ns.add_agent("dev-r", 1165, {"gmd0": "GE-A", "gmd1": "GE-B"})
        yield ns
    finally:
        ns.close()


def run_in_ns(coro_fn):
    return run_in_namespace(NS, coro_fn)


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
    assert vb1 - vb2 == 3 * n, "the first scrape walks ifName/ifDescr/ifAlias, the second reuses them"


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


def _scrape(port: int, modules=("if_mib",), scraper: Scraper | None = None):
    async def go():
        s = scraper or Scraper(SnmpClient(), StaticCache(max_age=300))
        return await s.scrape(Target(f"dev:{port}", Endpoint("127.0.0.1", port), V2), [MODULES[m] for m in modules], 5.0)
    return go


def _summary(fams) -> dict:
    """{family: {ifIndex or '': (labels, value)}} as plain data for the parent."""
    out = {}
    for f in fams:
        out[f.name] = {s.labels.get("ifIndex", ""): (dict(s.labels), s.value) for s in f.samples}
    return out


def test_agent_without_if_x_table_falls_back_to_if_table(agent):
    async def go():
        return _summary(await _scrape(1163)())
    got = run_in_ns(go)
    idx = agent.ifindexes()
    assert got["snmp_up"][""][1] == 1
    assert got["ifHCInOctets"] == {}, "the agent has no ifXTable"
    # names from ifDescr, traffic from the 32-bit ifTable counters, speed from ifSpeed
    labels, _ = got["ifOperStatus"][str(idx["gmd0"])]
    assert labels["ifName"] == labels["ifDescr"] == "gei-0/1/0/1"
    lo = str(idx["lo"])
    assert got["ifInOctets"][lo][1] > 0 and got["ifOutOctets"][lo][1] > 0  # SNMP itself runs over lo
    assert got["ifInOctets"][lo][0]["ifName"] == "lo"
    assert set(got["ifHighSpeed"]) == set(got["ifOperStatus"])


def test_text_in_a_numeric_column_is_skipped_and_counted_and_gbk_alias_decodes(agent):
    from monitoring.snmp.exposition import render

    async def go():
        fams = await _scrape(1164)()
        return _summary(fams), render(fams).decode()
    got, body = run_in_ns(go)
    idx = agent.ifindexes()
    assert got["snmp_up"][""][1] == 1, "the agent answered: snmp_up says so"
    assert got["snmp_scrape_errors"][""][1] == 1
    assert str(idx["gmd2"]) not in got["ifOperStatus"] and str(idx["gmd3"]) in got["ifOperStatus"]
    assert got["ifMtu"][str(idx["gmd2"])][1] > 0, "the rest of the bad interface is still there"
    assert got["ifOperStatus"][str(idx["gmd3"])][0]["ifAlias"] == GBK_ALIAS
    assert "\ufffd" not in body and "snmp_scrape_errors 1.0" in body


def test_cached_labels_are_dropped_when_the_agent_restarts_with_remapped_interfaces(agent):
    idx = agent.ifindexes()

    def restart_swapped() -> int:
        agent.stop("dev-r")
        agent.configure("dev-r", {"gmd0": "GE-B", "gmd1": "GE-A"})
        agent.start("dev-r")
        return agent.agents["dev-r"].pid

    async def go():
        scraper = Scraper(SnmpClient(), StaticCache(max_age=300))
        await asyncio.sleep(1.5)  # sysUpTime of the first agent well above the restarted one's
        before = _summary(await _scrape(1165, scraper=scraper)())
        pid = await asyncio.to_thread(restart_swapped)
        after = _summary(await _scrape(1165, scraper=scraper)())
        return before, after, pid
    before, after, pid = run_in_ns(go)
    agent.agents["dev-r"].pid = pid  # the child started it: the fixture must stop it
    a = str(idx["gmd0"])
    assert before["ifOperStatus"][a][0]["ifName"] == "GE-A"
    assert after["ifOperStatus"][a][0]["ifName"] == "GE-B", "labels cached before the restart were kept"


def test_if_table_last_change_invalidates_and_uptime_is_tracked():
    cache = StaticCache(max_age=300)
    cache.put(("a",), {}, uptime=1000, last_change=10)
    assert cache.still_valid(("a",), 5000, 10)
    assert not cache.still_valid(("a",), 6000, 11) and cache.get(("a",)) is None
    cache.put(("a",), {}, uptime=1000, last_change=10)
    assert cache.still_valid(("a",), 9000, 10)
    assert not cache.still_valid(("a",), 3000, 10), "a reboot is seen against the last uptime seen, not the first"


def test_garbage_datagrams_are_counted_and_logged_at_a_bounded_rate(agent):
    async def go():
        import logging

        from monitoring.snmp import transport

        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append((record.name, record.levelno, bool(record.exc_info)))
        logging.getLogger().addHandler(Keep())

        class Garbage(asyncio.DatagramProtocol):
            def connection_made(self, t):
                self.t = t

            def datagram_received(self, data, addr):
                for _ in range(50):  # not SNMP: a truncated SEQUENCE and stray bytes
                    self.t.sendto(bytes.fromhex("300a020101040178a2023000"), addr)
                    self.t.sendto(b"garbage", addr)
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(Garbage, local_addr=("127.0.0.1", 1199))
        counter = getattr(transport, "BAD_DATAGRAMS", None)
        before = counter._value.get() if counter else 0
        fams = await Scraper(SnmpClient()).scrape(
            Target("noisy", Endpoint("127.0.0.1", 1199, timeout=0.3, retries=1), V2), [MODULES["if_mib"]], 3.0)
        up = next(f for f in fams if f.name == "snmp_up").samples[0].value
        return up, (counter._value.get() - before) if counter else 0, records
    up, bad, records = run_in_ns(go)
    assert up == 0
    noisy = [r for r in records if r[1] >= 30]
    assert len(noisy) <= 3 and not any(r[2] for r in records), f"log spray: {len(noisy)} lines, e.g. {noisy[:3]}"
    assert bad >= 100, "every unreadable datagram is counted"


def test_a_wrong_v3_key_never_borrows_a_good_key_of_the_same_user(agent):
    """Concurrent scrapes with two key sets for one user name (an auth file beside the SoT, or
    per-device keys): each request must use its own keys."""
    async def one(client, creds):
        try:
            await client.get(Endpoint("127.0.0.1", 1161, timeout=0.5, retries=0), creds,
                             [(1, 3, 6, 1, 2, 1, 1, 5, 0)], WalkStats())
            return "ok"
        except SnmpError as exc:
            return "digest" if "digest" in str(exc).lower() else str(exc)

    async def go():
        client = SnmpClient()
        bad = Credentials(3, user=V3_USER, auth_key="wrong-auth-key-1", priv_key="wrong-priv-key-1")
        await one(client, V3)  # engine discovered, good keys configured
        return await asyncio.gather(*(one(client, c) for _ in range(10) for c in (V3, bad)))
    got = run_in_ns(go)
    assert got[0::2] == ["ok"] * 10 and got[1::2] == ["digest"] * 10, got


def test_cached_labels_are_dropped_when_if_table_last_change_moves(agent):
    """A new interface (new ifIndex) is named at the next scrape, not after --cache-age."""
    def add_interface() -> None:
        subprocess.run(["ip", "link", "add", "gmnew", "type", "bridge"], check=True)

    async def go():
        scraper = Scraper(SnmpClient(), StaticCache(max_age=300))
        await _scrape(1161, scraper=scraper)()
        await asyncio.to_thread(add_interface)
        for _ in range(40):  # snmpd re-reads the kernel's interface list every few seconds
            got = _summary(await _scrape(1161, scraper=scraper)())
            names = {labels["ifDescr"]: labels["ifName"] for labels, _ in got["ifOperStatus"].values()}
            if "gmnew" in names:
                return names["gmnew"]
            await asyncio.sleep(0.25)
        return None
    try:
        assert run_in_ns(go) == "gmnew", "labels cached before the interface appeared were kept"
    finally:
        subprocess.run(["ip", "netns", "exec", NS, "ip", "link", "del", "gmnew"], check=False)


def _v3_walk_with(patch=None):
    """A v3 authPriv walk in a fresh client after `patch()` ran in the child: (table, fast, fallback) or the error."""
    async def go():
        from monitoring.snmp import fastusm
        fastusm.stats.update(fast=0, fallback=0, encoded=0, header=0)  # the fork inherits the parent's counts
        if patch:
            patch()
        client, stats = SnmpClient(), WalkStats()
        ep = Endpoint("127.0.0.1", 1161, timeout=0.5, retries=0, max_repetitions=10)
        try:
            table = _plain(await client.walk_columns(ep, V3, COLUMNS, stats))
        except SnmpError as exc:
            table = f"SnmpError: {exc}"
        assert fastusm.stats["encoded"] >= 1, "requests must have been encoded by the fast encoder"
        return table, fastusm.stats["fast"], fastusm.stats["fallback"], fastusm.stats["header"]
    return run_in_ns(go)


def test_v3_fast_scoped_pdu_reader_and_its_pyasn1_fallback_give_identical_walks(agent):
    def refuse():
        from monitoring.snmp import ber, fastusm

        def no(_data):
            raise ber.BerError("forced")
        ber.decode_scoped_response = no  # only in the forked child
        # and the message header readers (version, SNMPv3Message, USM security parameters)
        fastusm.decode_message_version = fastusm.decode_v3_message = fastusm.decode_security_parameters = no
    fast, n_fast, _, n_header = _v3_walk_with()
    slow, n_fast_slow, n_fallback, n_header_slow = _v3_walk_with(refuse)
    assert isinstance(fast, dict) and fast == slow == walk_all(V2, 10)[0]
    assert n_fast >= 4 and n_header >= 4, "the responses must have gone through the fast readers"
    assert n_fast_slow == 0 and n_header_slow == 0 and n_fallback >= 4, "and here all through pyasn1"


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_v3_damaged_decrypted_scoped_pdus_fall_back_and_fail_as_pysnmp_does(agent, damage):
    """A plaintext the reader rejects goes to pyasn1, which refuses it as before: a clean SnmpError."""
    def corrupt():
        from pysnmp.proto.secmod.rfc3826.priv import aes
        orig = aes.Aes.decrypt_data

        def bad(self, *args):
            data = bytes(orig(self, *args))
            return data[:len(data) // 2] if damage == "truncate" else bytes([0x31]) + data[1:]
        aes.Aes.decrypt_data = bad
    table, n_fast, n_fallback, _ = _v3_walk_with(corrupt)
    assert isinstance(table, str) and table.startswith("SnmpError"), table
    assert n_fast == 0 and n_fallback >= 1


@pytest.mark.parametrize("creds", [V2, V3], ids=["v2c", "v3"])
def test_segmented_walks_give_the_same_table_in_the_same_order(agent, creds):
    """walk_columns(splits=...) walks (start, s1], (s1, s2], ... concurrently: whatever the split
    points (present in the table or not, before the first row, past the last), the same rows in
    the same order as one walk, and the same varbind count."""
    async def go():
        client = SnmpClient()
        ep = Endpoint("127.0.0.1", 1161, max_repetitions=4)
        cols = [IF_NAME, IF_MTU, SYSTEM, ABSENT]
        out = []
        for splits in ([], [(5,)], [(2,), (3,), (17,)], [(0,)], [(10_000,)], [(7, 1)], [(4,), (900,)]):
            stats = WalkStats()
            table = await client.walk_columns(ep, creds, cols, stats, splits)
            rows = {c: [(k, v) for k, v in table[c].items() if c != SYSTEM or k[:1] != (3,)] for c in cols}
            out.append((rows, stats.varbinds, stats.pdus))
        return out
    runs = run_in_ns(go)
    whole, varbinds, _ = runs[0]
    assert len(whole[IF_NAME]) >= 31
    for rows, n, _ in runs[1:]:
        assert rows == whole and n == varbinds
    assert max(p for _, _, p in runs[1:]) > runs[0][2], "split walks were really cut into several"
