"""Prometheus configuration generated from the SoT: targets, scrape jobs, rules.

Output (default `monitoring/prometheus/`)::

    prometheus.yml            scrape jobs (multi-target relabelling), rule_files, alerting
    targets/snmp_<module>.json file_sd: one entry per device, labels device/site/tier/platform
                              (and router_id where the inventory runs OSPF)
    rules/recording.yml       interface utilisation, IPv6 share of traffic, progress ratios
    rules/uplinks.yml         govops:uplink:info — one static series per uplink interface
    rules/alerts.yml          the NOC alert rules (severity, site, department, runbook_url)
    rules/health.yml          device health alerts (CPU, temperature, optical power)
    rules/selfmon.yml         the stack watches itself: Watchdog, exporters down/absent, slow scrapes
    rules/sa_alerts.yml       security/sa/alerts.yml, when present, with NOC routing labels added

Sharding: with `--shards N --shard K` every SNMP job keeps only the targets whose
hashmod(__address__, N) == K, so N Prometheus servers with the same target files split the
devices between them (each evaluates the alerts for its share; federate or use remote-write
for city-wide views). One server handles the city comfortably; shard when a scrape round
no longer fits the interval.

Runbook links: the rules say `runbook_url: runbooks/alerts/X.md` (a repository path, what the
tests check); with `runbook_base` (or $GOVOPS_RUNBOOK_BASE) the copies written to `out` carry
absolute links, e.g. base `https://git.example/govops/-/blob/main/` gives
`https://git.example/govops/-/blob/main/runbooks/alerts/X.md`. Default: no base, paths unchanged.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import yaml

from govops.vendors.snmp_naming import if_name
from monitoring.snmp.mapping import HEALTH_MODULE

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "monitoring" / "prometheus"
SA_ALERTS = ROOT / "security" / "sa" / "alerts.yml"
TIER_RANK = {"core": 0, "aggregation": 1, "access": 2}

DEFAULT_ENDPOINTS = {
    "snmp": "127.0.0.1:9116",
    "readiness": "127.0.0.1:9127",
    "migration": "127.0.0.1:9128",
    "sa_forwarder": "127.0.0.1:9096",
    "alertmanager": "127.0.0.1:9093",
}


def device_labels(dev) -> dict[str, str]:
    return {"device": dev.name, "site": dev.site, "tier": dev.role, "platform": dev.platform}


def snmp_modules(dev, ospf: bool = False) -> list[str]:
    mods = ["if_mib", "system", "ipv6"]
    if dev.platform in HEALTH_MODULE:
        mods.append(HEALTH_MODULE[dev.platform])
    if ospf:  # the inventory's routing design runs OSPF: neighbour states (OspfNeighborDown)
        mods.append("ospf")
    return mods


def runs_ospf(inv) -> bool:
    return bool(inv.routing and inv.routing.ospf)


def file_sd(inv) -> dict[str, list[dict]]:
    """targets/<file>.json contents: the device name is the target (the exporter resolves it)."""
    files: dict[str, list[dict]] = {}
    ospf = runs_ospf(inv)
    for dev in sorted(inv.devices.values(), key=lambda d: d.name):
        if dev.snmp is None:
            continue
        # router_id: DeviceUnreachable names the dead router the way its neighbours' OSPF alerts do
        # (ospf_router_id), so Alertmanager inhibits their pages (alertmanager.yml inhibit_rules).
        labels = device_labels(dev) | ({"router_id": str(dev.router_id)} if ospf else {})
        for mod in snmp_modules(dev, ospf):
            files.setdefault(f"snmp_{mod}.json", []).append({"targets": [dev.name], "labels": labels})
    return files


def uplinks(inv) -> list[dict]:
    """(device, interface, peer) for every link end pointing at a higher tier (core is the top).

    `ifName` is what the device's SNMP agent reports for the SoT interface (Ruijie abbreviates:
    `GigabitEthernet 0/1` is `Gi0/1`), so the UplinkDown join on ifName meets real series;
    `interface` keeps the SoT (CLI) name for people.
    """
    out = []
    for link in inv.links:
        for this, far in ((link.a, link.b), (link.b, link.a)):
            a, b = inv.devices.get(this.device), inv.devices.get(far.device)
            if a and b and TIER_RANK.get(b.role, 9) < TIER_RANK.get(a.role, 9):
                out.append({"device": a.name, "ifName": if_name(a.platform, this.interface),
                            "interface": this.interface, "peer": b.name,
                            "peer_interface": far.interface, "site": a.site})
    return sorted(out, key=lambda u: (u["device"], u["ifName"]))


def uplink_rules(inv) -> dict:
    rules = [{"record": "govops:uplink:info", "expr": "vector(1)", "labels": u} for u in uplinks(inv)]
    return {"groups": [{"name": "govops-uplinks", "rules": rules}]}


def scrape_configs(inv, endpoints: dict[str, str], shards: int, shard: int, auth: str) -> list[dict]:
    jobs = []
    modules = sorted({m for d in inv.devices.values() if d.snmp for m in snmp_modules(d, runs_ospf(inv))})
    for mod in modules:
        relabel = [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": endpoints["snmp"]},
        ]
        if shards > 1:
            relabel[:0] = [
                {"source_labels": ["__address__"], "modulus": shards, "target_label": "__tmp_hash", "action": "hashmod"},
                {"source_labels": ["__tmp_hash"], "regex": str(shard), "action": "keep"},
            ]
        jobs.append({
            "job_name": f"snmp_{mod}",
            "scrape_interval": "30s" if mod in ("if_mib", "ipv6", "ospf") else "60s",
            "scrape_timeout": "10s",
            "metrics_path": "/snmp",
            "params": {"module": [mod], "auth": [auth]},
            "file_sd_configs": [{"files": [f"targets/snmp_{mod}.json"]}],
            "relabel_configs": relabel,
        })
    for job, key, interval in (("govops_snmp_exporter", "snmp", "30s"), ("govops_readiness", "readiness", "5m"),
                               ("govops_migration", "migration", "1m"), ("govops-sa-forwarder", "sa_forwarder", "30s")):
        cfg = {"job_name": job, "static_configs": [{"targets": [endpoints[key]]}]}
        if interval != "30s":
            # Readiness probes every device and crawls websites: slower cadence, longer timeout.
            cfg |= {"scrape_interval": interval, "scrape_timeout": "60s" if key == "readiness" else "10s"}
        jobs.append(cfg)
    return jobs


def prometheus_yml(inv, endpoints: dict[str, str], shards: int = 1, shard: int = 0, auth: str = "v3",
                   sa_rules: bool = False) -> dict:
    external = {"city": inv.city.id}
    if shards > 1:
        external["shard"] = str(shard)
    rule_files = ["rules/recording.yml", "rules/uplinks.yml", "rules/alerts.yml", "rules/health.yml",
                  "rules/selfmon.yml", "rules/ospf.yml"]
    if sa_rules:
        rule_files.append("rules/sa_alerts.yml")
    return {
        "global": {"scrape_interval": "30s", "scrape_timeout": "10s", "evaluation_interval": "30s",
                   "external_labels": external},
        "rule_files": rule_files,
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [endpoints["alertmanager"]]}]}]},
        "scrape_configs": scrape_configs(inv, endpoints, shards, shard, auth),
    }


def sa_alert_rules(path: Path = SA_ALERTS) -> dict | None:
    """security/sa/alerts.yml with the NOC's routing labels (site, department) added if missing."""
    if not path.exists():
        return None
    data = copy.deepcopy(yaml.safe_load(path.read_text()))
    for group in data.get("groups", []):
        for rule in group.get("rules", []):
            if "alert" in rule:
                labels = rule.setdefault("labels", {})
                labels.setdefault("site", "cloud")
                labels.setdefault("department", "noc")
    return data


def absolute_runbooks(data: dict, base: str | None) -> dict:
    """Rule groups with every repository-relative runbook_url prefixed by `base` (None: unchanged)."""
    if not base:
        return data
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"--runbook-base: expected an http(s) URL, got {base!r}")
    base = base if base.endswith("/") else base + "/"
    for group in data.get("groups", []):
        for rule in group.get("rules", []):
            ann = rule.get("annotations", {})
            url = ann.get("runbook_url")
            if url and "://" not in url:
                ann["runbook_url"] = base + url.lstrip("/")
    return data


def generate(inv, out: Path = DEFAULT_OUT, endpoints: dict[str, str] | None = None, shards: int = 1,
             shard: int = 0, auth: str = "v3", runbook_base: str | None = None) -> list[Path]:
    """Write prometheus.yml, targets/ and the generated rules into `out`; returns the files written.

    rules/recording.yml and rules/alerts.yml are hand-written (and tested with promtool); when
    `out` is not the package directory they are copied there so the tree is self-contained.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"--shard must be in 0..{shards - 1}, got {shard}")
    runbook_base = runbook_base or os.environ.get("GOVOPS_RUNBOOK_BASE") or None
    if runbook_base and Path(out).resolve() == DEFAULT_OUT.resolve():
        # The package's rule files are the hand-written sources (repository paths, promtool-tested).
        raise ValueError("--runbook-base needs an output directory other than monitoring/prometheus (-o)")
    endpoints = {**DEFAULT_ENDPOINTS, **(endpoints or {})}
    out = Path(out)
    (out / "targets").mkdir(parents=True, exist_ok=True)
    (out / "rules").mkdir(parents=True, exist_ok=True)
    written = []

    def write(rel: str, text: str) -> None:
        path = out / rel
        path.write_text(text)
        written.append(path)

    for name, entries in file_sd(inv).items():
        write(f"targets/{name}", json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    header = "# generated by `govops monitoring generate` from the SoT; do not edit\n"
    write("rules/uplinks.yml", header + yaml.safe_dump(uplink_rules(inv), sort_keys=False, allow_unicode=True))
    sa = absolute_runbooks(sa_alert_rules(), runbook_base) if SA_ALERTS.exists() else None
    if sa is not None:
        write("rules/sa_alerts.yml", header + "# source: security/sa/alerts.yml\n"
              + yaml.safe_dump(sa, sort_keys=False, allow_unicode=True))
    for static in ("recording.yml", "alerts.yml", "health.yml", "selfmon.yml", "ospf.yml"):
        src = DEFAULT_OUT / "rules" / static
        if runbook_base:
            write(f"rules/{static}", "# runbook_url made absolute with the runbook base\n" + yaml.safe_dump(
                absolute_runbooks(yaml.safe_load(src.read_text()), runbook_base), sort_keys=False, allow_unicode=True))
        elif out.resolve() != DEFAULT_OUT.resolve():
            write(f"rules/{static}", src.read_text())
    write("prometheus.yml", header + yaml.safe_dump(prometheus_yml(inv, endpoints, shards, shard, auth, sa is not None),
                                                     sort_keys=False, allow_unicode=True))
    return written
