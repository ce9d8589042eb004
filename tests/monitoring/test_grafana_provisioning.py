"""Grafana provisioning files validate against the schema written from Grafana's provisioning
documentation (monitoring/grafana/provisioning.schema.json, source URL inside), and point at what
govops generates: the dashboards directory the NOC role installs, a default Prometheus."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from tests.paths import ROOT

GRAFANA = ROOT / "monitoring" / "grafana"
FILES = sorted((GRAFANA / "provisioning").glob("*/*.yml"))
SCHEMA = json.loads((GRAFANA / "provisioning.schema.json").read_text())


def errors(doc) -> list[str]:
    v = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_provisioning_file_validates(path):
    assert errors(yaml.safe_load(path.read_text())) == []


def test_schema_rejects_what_grafana_documents_as_wrong():
    ds = yaml.safe_load((GRAFANA / "provisioning/datasources/govops-prometheus.yml").read_text())
    bad = json.loads(json.dumps(ds))
    del bad["datasources"][0]["type"]
    assert errors(bad)
    bad = json.loads(json.dumps(ds))
    bad["datasources"][0]["acess"] = "proxy"  # a typo is not silently ignored
    assert errors(bad)
    prov = yaml.safe_load((GRAFANA / "provisioning/dashboards/govops.yml").read_text())
    del prov["providers"][0]["options"]["path"]
    assert errors(prov)


def test_one_default_prometheus_and_the_generated_dashboards():
    ds = yaml.safe_load((GRAFANA / "provisioning/datasources/govops-prometheus.yml").read_text())["datasources"]
    defaults = [d for d in ds if d.get("isDefault")]
    # The dashboards' `datasource` variable (type prometheus) starts at the default data source.
    assert len(defaults) == 1 and defaults[0]["type"] == "prometheus"
    dashboards = [json.loads(p.read_text()) for p in (ROOT / "monitoring" / "dashboards").glob("*.json")]
    assert dashboards
    for d in dashboards:
        variables = [v for v in d["templating"]["list"] if v["type"] == "datasource"]
        assert variables and variables[0]["query"] == "prometheus", d["title"]
    prov = yaml.safe_load((GRAFANA / "provisioning/dashboards/govops.yml").read_text())["providers"]
    role = yaml.safe_load((ROOT / "collections/ansible_collections/xinyu/govops/roles/noc/defaults/main.yml").read_text())
    assert [p["options"]["path"] for p in prov] == [role["noc_dashboards_dir"]]
