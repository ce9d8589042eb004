"""Drift judges OSPF (IPv4) against the routing design (issue 18, point 3), offline.

The running configs here are the twins' own: each device's ``startup.ospf`` block as `lab up` writes
it (lab/topology.py ospf_startup, from the same plan), printed by the twin's dialect in the vendor's
syntax. The twin is the ground truth drift has to come clean on (every device of both inventories,
all five platforms), and a hand edit made on its model (then printed by the twin) must show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from govops import cli, vendors
from govops.sot import load_inventory
from lab.topology import build_topology
from lab.twins.model import DeviceConfig, OspfArea, OspfProcess
from network import backup, drift, render
from network import cli as netcli
from network import config as cfgtext
from tests.unit.twins.offline import twin

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "inventories" / "lab"
PLATFORMS = {"huawei_vrpv8": "core-1", "hp_comware": "ys-agg-1", "huawei": "fy-agg-1",
             "zte_zxros": "fy-fyz-acc-1", "ruijie_os": "fy-yq-acc-1"}
COST = {"huawei_vrpv8": "ospf cost", "hp_comware": "ospf cost", "huawei": "ospf cost",
        "zte_zxros": "ip ospf cost", "ruijie_os": "ip ospf cost"}


@pytest.fixture(autouse=True)
def _ospf_lab(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("GOVOPS_LAB_IGP", raising=False)  # the routing design is in force
    logging.getLogger("lab").setLevel(logging.ERROR)  # offline twins cannot watch link events: said once each


def twin_running(inv, topo, name: str, tmp: Path, edit: Callable[[DeviceConfig], None] | None = None) -> str:  # noqa: ANN001
    """The device's running config as its twin prints it after `lab up` (and after ``edit``)."""
    node = topo.nodes[name]
    dialect = twin(inv.devices[name].platform, tmp / name, node.interfaces,
                   {"interfaces": node.startup_interfaces, "ospf": node.ospf})
    if edit:
        edit(dialect.device.running)
    return dialect.render_config(dialect.device.running) + "\n"


@pytest.mark.parametrize("inventory", ["lab", "xinyu"])
def test_every_twin_comes_clean_against_the_design(inventory: str, tmp_path: Path) -> None:
    """Before the upgrade OSPF drift is nil on every device; with the dual-stack intent on top (the
    upgraded device), drift as a whole is clean."""
    inv = load_inventory(ROOT / "inventories" / inventory)
    topo = build_topology(inv, "tx", "ospf")
    intents = render.render_all(inv)
    seen = set()
    for name, intent in intents.items():
        running = twin_running(inv, topo, name, tmp_path)
        assert intent.ospf2_blocks, f"{name}: no OSPF in the design"
        assert drift.ospf2_drift(intent, cfgtext.parse(running, vendors.get(intent.platform))) == ([], []), name
        report = drift.compare(intent, running + intent.text)
        assert (report.missing, report.unplanned) == ([], []), name
        seen.add(intent.platform)
    assert seen == set(PLATFORMS)


def test_an_area_typed_in_decimal_is_the_same_area(tmp_path: Path) -> None:
    """IOS-like CLIs print an area as it was typed (`network … area 1`); VRP/Comware print it dotted."""
    inv = load_inventory(LAB)
    intent = render.render_all(inv, devices=["fy-yq-acc-1"])["fy-yq-acc-1"]
    running = twin_running(inv, build_topology(inv, "tx", "ospf"), "fy-yq-acc-1", tmp_path)
    assert " area 0.0.0.1\n" in running
    assert drift.ospf2_drift(intent, cfgtext.parse(running.replace(" area 0.0.0.1\n", " area 1\n"),
                                                   vendors.get("ruijie_os"))) == ([], [])


@pytest.fixture(scope="module")
def lab():  # noqa: ANN201
    inv = load_inventory(LAB)
    return inv, build_topology(inv, "tx", "ospf"), render.render_all(inv)


def _port(cfg: DeviceConfig) -> str:
    return next(n for n, i in cfg.interfaces.items() if i.ospf is not None and i.ospf.cost)


def _edited(lab, platform: str, tmp: Path, edit: Callable[[DeviceConfig], None]) -> tuple[drift.DriftReport, dict]:  # noqa: ANN001
    inv, topo, intents = lab
    name = PLATFORMS[platform]
    facts: dict = {}

    def apply(cfg: DeviceConfig) -> None:
        facts["port"] = _port(cfg)
        edit(cfg)

    running = twin_running(inv, topo, name, tmp, apply)
    return drift.compare(intents[name], running + intents[name].text), facts


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_missing_cost_is_drift(lab, platform: str, tmp_path: Path) -> None:  # noqa: ANN001
    report, facts = _edited(lab, platform, tmp_path, lambda cfg: setattr(cfg.interfaces[_port(cfg)].ospf, "cost", 0))
    assert report.missing == [f"interface {facts['port']} / {COST[platform]} 10"]
    assert report.unplanned == []


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_hand_set_cost_is_missing_and_unplanned(lab, platform: str, tmp_path: Path) -> None:  # noqa: ANN001
    report, facts = _edited(lab, platform, tmp_path, lambda cfg: setattr(cfg.interfaces[_port(cfg)].ospf, "cost", 77))
    assert report.missing == [f"interface {facts['port']} / {COST[platform]} 10"]
    assert report.unplanned == [f"interface {facts['port']} / {COST[platform]} 77"]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_an_extra_network_is_unplanned(lab, platform: str, tmp_path: Path) -> None:  # noqa: ANN001
    def extra(cfg: DeviceConfig) -> None:
        next(iter(cfg.ospf[1].areas.values())).networks.append("10.9.9.0 0.0.0.255")

    report, _ = _edited(lab, platform, tmp_path, extra)
    assert report.missing == []
    assert len(report.unplanned) == 1 and "network 10.9.9.0 0.0.0.255" in report.unplanned[0], report.unplanned


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_removed_authentication_is_drift(lab, platform: str, tmp_path: Path) -> None:  # noqa: ANN001
    def no_auth(cfg: DeviceConfig) -> None:
        o = cfg.interfaces[_port(cfg)].ospf
        o.md5_key_id, o.md5_key = 0, ""

    report, facts = _edited(lab, platform, tmp_path, no_auth)
    want = {"ip ospf": [f"interface {facts['port']} / ip ospf authentication message-digest",
                        f"interface {facts['port']} / ip ospf message-digest-key 1 md5 ******"],
            "ospf": [f"interface {facts['port']} / ospf authentication-mode md5 1 ******"]}
    assert report.missing == want[COST[platform].removesuffix(" cost")] and report.unplanned == []


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_second_process_and_a_network_in_the_wrong_area_are_drift(lab, platform: str, tmp_path: Path) -> None:  # noqa: ANN001
    def edit(cfg: DeviceConfig) -> None:
        cfg.ospf[2] = OspfProcess(2, "192.0.2.1", {"0.0.0.0": OspfArea("0.0.0.0", ["192.0.2.0 0.0.0.255"])})
        first = next(iter(cfg.ospf[1].areas.values()))
        cfg.ospf[1].areas["0.0.0.9"] = OspfArea("0.0.0.9", [first.networks.pop()])

    report, _ = _edited(lab, platform, tmp_path, edit)
    assert any(line.startswith(("ospf 2", "router ospf 2")) for line in report.unplanned), report.unplanned
    assert any("0.0.0.9" in line for line in report.unplanned), report.unplanned
    assert len(report.missing) == 1 and "network " in report.missing[0], report.missing


# The MD5 key as the vault has it, and as the devices print it (made-up cipher texts of each form).
CIPHERS = {"huawei": "%^%#K7}x=Vq0#L2mOs`RNW_1Y8d@%^%#", "huawei_vrpv8": "%^%#K7}x=Vq0#L2mOs`RNW_1Y8d@%^%#",
           "hp_comware": "$c$3$Q9vXo0m8Lr1KzNq7c0GbX2h4Yw==", "ruijie_os": "0822455D0A16544541",
           "zte_zxros": "0822455D0A16544541"}


def _with_key(text: str, platform: str, key: str, key_id: int) -> str:
    """The twin's masked auth lines replaced by what a device prints with ``key`` under ``key_id``."""
    if platform.startswith(("ruijie", "zte")):
        typ = "7 " if key == CIPHERS[platform] else ""
        return text.replace(" ip ospf message-digest-key 1 md5 7 ********", f" ip ospf message-digest-key {key_id} md5 {typ}{key}")
    word = "cipher" if key == CIPHERS[platform] else "plain"
    mask = "$c$3$******" if platform == "hp_comware" else "%^%#********%^%#"  # each twin's cipher shape
    return text.replace(f" ospf authentication-mode md5 1 cipher {mask}",
                        f" ospf authentication-mode md5 {key_id} {word} {key}")


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("form", ["plain", "cipher"])
def test_the_md5_key_never_reaches_drift_output(lab, platform: str, form: str, tmp_path: Path, monkeypatch,
                                                capsys) -> None:  # noqa: ANN001
    """Same key id: no drift whatever the key's form. Another key id: drift, shown without the key,
    in the text report, in --json and in the textfile."""
    inv, topo, intents = lab
    name = PLATFORMS[platform]
    vault_key = inv.devices[name].ospf_auth_key
    key = vault_key if form == "plain" else CIPHERS[platform]
    twin_text = twin_running(inv, topo, name, tmp_path) + intents[name].text
    same = _with_key(twin_text, platform, key, 1)
    assert key in same and not drift.compare(intents[name], same).drifted
    other = _with_key(twin_text, platform, key, 2)
    texts = {n: (other if n == name else twin_running(inv, topo, n, tmp_path) + i.text) for n, i in intents.items()}
    monkeypatch.setattr(netcli, "_fetch", lambda inv, names, args: {n: backup.Fetched(n, text=texts[n]) for n in names})
    metrics = tmp_path / "drift.prom"
    base = ["net", "drift", "-i", str(LAB), "--vault-password-file", str(LAB / ".vault-pass")]
    assert cli.main([*base, "--metrics", str(metrics)]) == 1
    out = capsys.readouterr()
    assert cli.main([*base, "--json"]) == 1
    out_json = capsys.readouterr()
    report = drift.compare(intents[name], other)
    assert any("md5 2" in line or "message-digest-key 2" in line for line in report.unplanned), report.unplanned
    assert f"drift: {name}" in out.out and "1 of 7 device(s) drifted" in out.out
    for text in (out.out, out.err, out_json.out, out_json.err, metrics.read_text(), *drift.diff_lines(report)):
        for secret in (vault_key, CIPHERS[platform]):
            assert secret not in text
