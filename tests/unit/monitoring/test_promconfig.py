"""Prometheus configuration generated from the SoT."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from govops.sot import load_inventory
from monitoring.promconfig import generate, uplinks
from tests.paths import ROOT

needs_promtool = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")


@pytest.fixture(scope="module")
def inv():
    return load_inventory(ROOT / "inventories" / "lab")


def test_file_sd_has_every_device_with_labels_and_vendor_modules_by_platform(tmp_path, inv):
    generate(inv, tmp_path)
    if_mib = json.loads((tmp_path / "targets" / "snmp_if_mib.json").read_text())
    assert sorted(e["targets"][0] for e in if_mib) == sorted(inv.devices)
    core1 = next(e for e in if_mib if e["targets"] == ["core-1"])
    # router_id: the lab runs OSPF; DeviceUnreachable maps it to ospf_router_id (Alertmanager's inhibition)
    assert core1["labels"] == {"device": "core-1", "site": "city", "tier": "core", "platform": "huawei_vrpv8",
                               "router_id": "198.18.4.1"}
    huawei = {e["targets"][0] for e in json.loads((tmp_path / "targets" / "snmp_huawei.json").read_text())}
    h3c = {e["targets"][0] for e in json.loads((tmp_path / "targets" / "snmp_h3c.json").read_text())}
    assert huawei == {"core-1", "fy-agg-1", "ys-lf-acc-1"} and h3c == {"core-2", "ys-agg-1"}


def test_uplinks_point_to_the_upper_tier_only(inv):
    ups = {(u["device"], u["ifName"]): u["peer"] for u in uplinks(inv)}
    assert ups[("fy-fyz-acc-1", "gei-0/1/0/1")] == "fy-agg-1"
    assert ups[("fy-agg-1", "GigabitEthernet0/0/1")] == "core-1"
    assert not any(dev.startswith("core") for dev, _ in ups)  # core-core is a peer link, not an uplink


def test_multi_target_relabelling(tmp_path, inv):
    generate(inv, tmp_path, endpoints={"snmp": "10.0.0.5:9116"})
    cfg = yaml.safe_load((tmp_path / "prometheus.yml").read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "snmp_if_mib")
    assert job["metrics_path"] == "/snmp" and job["params"] == {"module": ["if_mib"], "auth": ["v3"]}
    assert job["relabel_configs"][-1] == {"target_label": "__address__", "replacement": "10.0.0.5:9116"}
    assert {"source_labels": ["__param_target"], "target_label": "instance"} in job["relabel_configs"]


def test_sharding_keeps_one_hashmod_bucket(tmp_path, inv):
    generate(inv, tmp_path, shards=3, shard=2)
    cfg = yaml.safe_load((tmp_path / "prometheus.yml").read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "snmp_if_mib")
    assert job["relabel_configs"][0]["modulus"] == 3 and job["relabel_configs"][1]["regex"] == "2"
    assert cfg["global"]["external_labels"]["shard"] == "2"
    with pytest.raises(ValueError, match="shard"):
        generate(inv, tmp_path, shards=2, shard=2)


@needs_promtool
def test_generated_tree_passes_promtool_check_config_and_rules(tmp_path, inv):
    generate(inv, tmp_path, shards=2, shard=1)
    proc = subprocess.run(["promtool", "check", "config", "prometheus.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rules found" in proc.stdout


def test_committed_artifacts_match_the_generator(tmp_path, inv):
    generate(inv, tmp_path)
    committed = ROOT / "monitoring" / "prometheus"
    for rel in ("prometheus.yml", "rules/uplinks.yml", "targets/snmp_if_mib.json"):
        assert (committed / rel).read_text() == (tmp_path / rel).read_text(), f"run `govops monitoring generate` ({rel})"
