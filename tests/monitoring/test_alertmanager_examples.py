"""Every Alertmanager configuration (the committed one and the examples) passes Debian's
`amtool check-config`, and test alerts reach the receivers the comments promise
(`amtool config routes test`: Alertmanager's own routing code)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.paths import ROOT

AM = ROOT / "monitoring" / "alertmanager"
CONFIGS = sorted([AM / "alertmanager.yml", *(AM / "examples").glob("*.yml")])
pytestmark = pytest.mark.skipif(not shutil.which("amtool"), reason="amtool (Debian prometheus-alertmanager) not installed")


def amtool(*argv: str) -> str:
    proc = subprocess.run(["amtool", *argv], capture_output=True, text=True)
    assert proc.returncode == 0, f"amtool {' '.join(argv)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def routed(config, **labels: str) -> list[str]:
    out = amtool("config", "routes", "test", f"--config.file={config}", *(f"{k}={v}" for k, v in labels.items()))
    return out.strip().split(",")


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_amtool_check_config(config):
    assert "SUCCESS" in amtool("check-config", str(config))


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_watchdog_goes_to_the_heartbeat_only(config):
    assert routed(config, alertname="Watchdog", severity="none", department="noc") == ["heartbeat"]
    hb = next(r for r in yaml.safe_load(config.read_text())["receivers"] if r["name"] == "heartbeat")
    assert hb["webhook_configs"][0]["send_resolved"] is False


def test_noc_cn_routes_by_tier_and_severity():
    cfg = AM / "examples" / "noc-cn.yml"
    assert routed(cfg, alertname="UplinkDown", severity="critical", tier="core") == [
        "sa-forwarder", "sms-oncall", "dingtalk-shift"]
    assert routed(cfg, alertname="UplinkDown", severity="critical", tier="aggregation") == [
        "sa-forwarder", "sms-oncall", "dingtalk-shift"]
    assert routed(cfg, alertname="DeviceUnreachable", severity="critical", tier="access") == ["sa-forwarder", "wecom-noc"]
    assert routed(cfg, alertname="GovopsExporterDown", severity="critical") == ["sa-forwarder", "sms-oncall"]
    assert routed(cfg, alertname="InterfaceErrors", severity="warning", tier="core") == ["sa-forwarder", "wecom-noc"]
    receivers = {r["name"]: r for r in yaml.safe_load(cfg.read_text())["receivers"]}
    assert "wechat_configs" in receivers["wecom-noc"]  # native WeCom, not a bridge
    assert receivers["dingtalk-shift"]["webhook_configs"][0]["url"].endswith("/dingtalk/noc-shift/send")


def test_committed_config_keeps_its_routes_and_inhibitions():
    cfg = AM / "alertmanager.yml"
    assert routed(cfg, alertname="DeviceUnreachable", severity="critical") == ["sa-forwarder", "noc-critical"]
    assert routed(cfg, alertname="InterfaceErrors", severity="warning") == ["sa-forwarder", "noc"]
    inhibit = yaml.safe_load(cfg.read_text())["inhibit_rules"]
    assert inhibit[0]["equal"] == ["device"] and "DeviceUnreachable" in inhibit[0]["source_matchers"][0]
    assert any('alertname="SNMPScrapeFailed"' in r["target_matchers"] for r in inhibit)
