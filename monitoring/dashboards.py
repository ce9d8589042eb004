"""Grafana dashboards generated with grafana-foundation-sdk into monitoring/dashboards/*.json.

    python -m monitoring.dashboards            # rewrite the JSON files

Every panel's PromQL is plain text in the JSON (`panels[].targets[].expr`);
tests/monitoring/test_dashboards*.py extract them and run them against a live Prometheus.
Template variables `$device` / `$interface` are used only inside `=~"…"` matchers.
"""

from __future__ import annotations

import json
from pathlib import Path

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableRefresh

OUT = Path(__file__).resolve().parent / "dashboards"
DS = DataSourceRef(type_val="prometheus", uid="${datasource}")


def q(expr: str, legend: str = "") -> prometheus.Dataquery:
    d = prometheus.Dataquery().expr(expr)
    return d.legend_format(legend) if legend else d


def ts(title: str, *queries, unit: str = "", w: int = 12, h: int = 8):
    p = timeseries.Panel().title(title).datasource(DS).span(w).height(h)
    for qq in queries:
        p = p.with_target(qq)
    return p.unit(unit) if unit else p


def st(title: str, expr: str, unit: str = "", w: int = 6):
    p = stat.Panel().title(title).datasource(DS).span(w).height(4).with_target(q(expr))
    return p.unit(unit) if unit else p


def tb(title: str, expr: str, w: int = 24):
    return table.Panel().title(title).datasource(DS).span(w).height(8).with_target(q(expr).instant())


def _base(uid: str, title: str, tags: list[str]) -> db.Dashboard:
    return (db.Dashboard(title).uid(uid).tags(["govops", *tags]).refresh("1m").time("now-6h", "now")
            .with_variable(db.DatasourceVariable("datasource").label("Prometheus").type("prometheus")))


def noc_overview() -> db.Dashboard:
    up = 'snmp_up{job="snmp_if_mib"}'
    board = (_base("govops-noc", "NOC overview — extranet", ["noc"])
            .with_row(db.Row("Reachability"))
            .with_panel(st("Devices answering SNMP", f"sum({up})"))
            .with_panel(st("Devices not answering", f"count({up} == 0) or vector(0)"))
            .with_panel(st("Firing alerts", 'count(ALERTS{alertstate="firing"}) or vector(0)'))
            .with_panel(st("IPv6 share of traffic", "govops:ipv6_traffic_share:ratio_rate5m", unit="percentunit"))
            .with_panel(ts("Share of devices up, by tier", q(f"avg by (tier) ({up})", "{{tier}}"), unit="percentunit"))
            .with_panel(ts("Devices up, by site", q(f"sum by (site) ({up})", "{{site}}")))
            .with_row(db.Row("Traffic"))
            .with_panel(ts("Extranet traffic in, by tier",
                           q('sum by (tier) (rate(ifHCInOctets{job="snmp_if_mib"}[5m])) * 8', "{{tier}}"), unit="bps"))
            .with_panel(ts("Extranet traffic in, by site",
                           q('sum by (site) (rate(ifHCInOctets{job="snmp_if_mib"}[5m])) * 8', "{{site}}"), unit="bps"))
            .with_row(db.Row("IPv6 progress"))
            .with_panel(ts("Devices dual-stack as planned, by tier",
                           q("govops_ipv6_dual_stack_ratio_by_tier", "{{tier}}"), unit="percentunit"))
            .with_panel(ts("Devices dual-stack as planned, by county",
                           q("govops_ipv6_dual_stack_ratio_by_county", "{{county}}"), unit="percentunit"))
            .with_panel(tb("Devices not yet dual-stack", "govops_ipv6_dual_stack == 0"))
            .with_row(db.Row("Device health")))
    for panel in device_health():
        board = board.with_panel(panel)
    for panel in ospf_adjacencies():
        board = board.with_panel(panel)
    return board


def ospf_adjacencies() -> list:
    """OSPF adjacencies per tier (SNMP exporter module `ospf`, alerts in rules/ospf.yml). A link's
    adjacency is seen from both ends: each end counts in its own device's tier. Before the IPv6
    upgrade a tier shows 0 OSPFv3 adjacencies (not "no data"), so the panel also tracks the upgrade."""
    full = 'count by (tier) ({metric}{{job="snmp_ospf"}} == 8)'
    v3_or_zero = full.format(metric="ospfv3NbrState") + ' or 0 * count by (tier) (ospfNbrState{job="snmp_ospf"})'
    down = 'ALERTS{alertname=~"OspfNeighborDown|Ospfv3NeighborDown",alertstate="firing"}'
    return [
        db.Row("Routing (OSPF)"),
        ts("OSPF neighbours Full, by tier (each end counts)",
           q(full.format(metric="ospfNbrState"), "{{tier}} OSPFv2"),
           q(v3_or_zero, "{{tier}} OSPFv3")),
        st("OSPF neighbours down (OspfNeighborDown, Ospfv3NeighborDown firing)", f"count({down}) or vector(0)"),
    ]


# Series of the vendor health module (monitoring/snmp/health.py), alerts in rules/health.yml.
HEALTH_ALERTS = "DeviceCpuHigh|DeviceTemperatureHigh|OpticalRxPowerOutOfRange"
BOARD = "{{device}} {{entPhysicalName}}"


def device_health() -> list:
    cpu, temp = "govops_health_cpu_usage_percent", "govops_health_temperature_celsius"
    rx, rx_low = "govops_health_optical_rx_power_dbm", "govops_health_optical_rx_low_threshold_dbm"
    return [
        st("Health alerts firing", f'count(ALERTS{{alertstate="firing",alertname=~"{HEALTH_ALERTS}"}}) or vector(0)'),
        st("Boards above 85% CPU", f"count({cpu} > 85) or vector(0)"),
        st("Sensors at their alarm temperature",
           f"count({temp} >= govops_health_temperature_threshold_celsius) or vector(0)"),
        st("Optics below their Rx alarm", f"count({rx} < {rx_low}) or vector(0)"),
        ts("Busiest boards: CPU", q(f"topk(10, {cpu})", BOARD), unit="percent"),
        ts("Busiest boards: memory", q("topk(10, govops_health_memory_usage_percent)", BOARD), unit="percent"),
        ts("Hottest boards and sensors", q(f"topk(10, {temp})", BOARD), unit="celsius"),
        ts("Weakest optics: receive power", q(f"bottomk(10, {rx})", "{{device}} {{port}}"), unit="dBm"),
        tb("Optics closest to their Rx low alarm (margin in dB)", f"bottomk(20, {rx} - {rx_low})"),
    ]


def interface_detail() -> db.Dashboard:
    sel = 'job="snmp_if_mib",device=~"$device",ifName=~"$interface"'
    return (_base("govops-interface", "Interface detail", ["noc", "interfaces"])
            .with_variable(db.QueryVariable("device").label("Device").datasource(DS)
                           .query('label_values(snmp_up{job="snmp_if_mib"}, device)').refresh(VariableRefresh.ON_TIME_RANGE_CHANGED))
            .with_variable(db.QueryVariable("interface").label("Interface").datasource(DS).multi(True).include_all(True)
                           .query('label_values(ifHCInOctets{device=~"$device"}, ifName)')
                           .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED))
            .with_panel(ts("Traffic", q(f"rate(ifHCInOctets{{{sel}}}[5m]) * 8", "{{ifName}} in"),
                           q(f"rate(ifHCOutOctets{{{sel}}}[5m]) * 8", "{{ifName}} out"), unit="bps", w=24))
            .with_panel(ts("Utilisation", q(f"govops:if_in_utilisation:ratio_rate5m{{{sel}}}", "{{ifName}} in"),
                           q(f"govops:if_out_utilisation:ratio_rate5m{{{sel}}}", "{{ifName}} out"), unit="percentunit"))
            .with_panel(ts("Errors and discards", q(f"rate(ifInErrors{{{sel}}}[5m]) + rate(ifOutErrors{{{sel}}}[5m])", "{{ifName}} errors"),
                           q(f"rate(ifInDiscards{{{sel}}}[5m]) + rate(ifOutDiscards{{{sel}}}[5m])", "{{ifName}} discards"), unit="pps"))
            .with_panel(ts("Operational status (1 up, 2 down)", q(f"ifOperStatus{{{sel}}}", "{{ifName}}")))
            .with_panel(ts("IPv6 traffic", q('rate(ipIfStatsHCInOctets{job="snmp_ipv6",device=~"$device",ifName=~"$interface"}[5m]) * 8',
                                             "{{ifName}} in"), unit="bps"))
            .with_panel(tb("Speed and MTU", f"ifHighSpeed{{{sel}}}")))


def cloud_dr() -> db.Dashboard:
    board = (_base("govops-cloud-dr", "Cloud and DR", ["cloud", "dr"])
            .with_panel(st("Systems within RPO", "sum(govops_dr_rpo_compliant)"))
            .with_panel(st("Systems breaching RPO", "count(govops_dr_rpo_compliant == 0) or vector(0)"))
            .with_panel(ts("Replication lag", q("govops_dr_replication_lag_seconds", "{{system}}"), unit="s", w=24))
            .with_panel(tb("Lag vs RPO", "govops_dr_replication_lag_seconds / govops_dr_rpo_seconds"))
            .with_panel(ts("Age of the DR status", q("time() - govops_dr_status_timestamp_seconds", "{{system}}"), unit="s"))
            .with_row(db.Row("Databases: replication, backups, restore tests")))
    for panel in database_dr():
        board = board.with_panel(panel)
    return board


# Series of the database DR (monitoring/migration/dr.py), alerts in rules/dr_db.yml. One standby per
# replication kind, i.e. per DR centre: sync-same-city, async-remote (Fenyi).
DB_ALERTS = "DRBackupTooOld|DRRestoreTestFailed|DRArchiveFailing"
STANDBY = "{{system}} {{replication}}"


def database_dr() -> list:
    lag, rpo = "govops_dr_replication_lag_seconds", "govops_dr_rpo_seconds"
    age = "time() - govops_dr_backup_last_success_timestamp_seconds"
    failing = "govops_dr_archive_last_failure_timestamp_seconds > govops_dr_archive_last_success_timestamp_seconds"
    return [
        st("Database DR alerts firing", f'count(ALERTS{{alertstate="firing",alertname=~"{DB_ALERTS}"}}) or vector(0)'),
        st("Backups older than their policy", f"count(({age}) > govops_dr_backup_max_age_seconds) or vector(0)"),
        st("Restore tests failing", "count(govops_dr_restore_test_success == 0) or vector(0)"),
        st("Databases failing to archive WAL", f"count({failing}) or vector(0)"),
        ts("Replication lag per standby against its RPO", q(lag, STANDBY), q(rpo, STANDBY + " RPO"), unit="s"),
        ts("WAL not yet flushed per standby", q("govops_dr_replication_lag_bytes", STANDBY), unit="bytes"),
        ts("Worst lag per DR centre", q(f"max by (replication) ({lag})", "{{replication}}"),
           q(f"min by (replication) ({rpo})", "{{replication}} RPO"), unit="s"),
        ts("Backup age against policy", q(age, "{{system}}"),
           q("govops_dr_backup_max_age_seconds", "{{system}} policy"), unit="s"),
        tb("Restore test (1: matched the reference)", "govops_dr_restore_test_success", w=12),
        tb("WAL archive failures (since the stats reset)", "govops_dr_archive_failures_total", w=12),
    ]


def migration() -> db.Dashboard:
    return (_base("govops-migration", "Migration progress", ["cloud", "migration"])
            .with_panel(st("City progress (non-classified systems on the cloud)",
                           "sum(govops_migration_systems_migrated) / sum(govops_migration_systems)", unit="percentunit", w=12))
            .with_panel(st("Target", "govops_migration_target_ratio", unit="percentunit", w=12))
            .with_panel(ts("Progress by department", q("govops_migration_progress_ratio", "{{department}}"),
                           q("govops_migration_target_ratio", "target"), unit="percentunit", w=24))
            .with_panel(tb("Migrations in progress", "govops_migration_in_progress == 1"))
            .with_panel(tb("Days since the last journal step",
                           "(time() - govops_migration_last_step_timestamp_seconds) / 86400")))


DASHBOARDS = {"noc-overview": noc_overview, "interface-detail": interface_detail, "cloud-dr": cloud_dr,
              "migration": migration}


def render(name: str) -> str:
    return json.dumps(DASHBOARDS[name]().build(), cls=JSONEncoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in DASHBOARDS:
        path = out / f"{name}.json"
        path.write_text(render(name))
        paths.append(path)
    return paths


def panel_queries(dashboard_json: dict) -> list[tuple[str, str]]:
    """(panel title, expr) for every query of every panel, rows included."""
    out = []

    def walk(panels):
        for p in panels or []:
            for t in p.get("targets") or []:
                if t.get("expr"):
                    out.append((p.get("title", ""), t["expr"]))
            walk(p.get("panels"))

    walk(dashboard_json.get("panels"))
    return out


if __name__ == "__main__":
    for p in write():
        print(p)
