"""The database DR layout comes from the SoT (tier, centre roles, hosts, vault) or stops with a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govops.migrate import pg
from govops.migrate.pgdr import lab_cluster
from govops.sot import load_inventory
from tests.paths import ROOT

LAB = ROOT / "inventories" / "lab"


@pytest.fixture
def inv_copy(tmp_path) -> Path:
    dst = tmp_path / "inv"
    shutil.copytree(LAB, dst)
    return dst


def test_tier_5_gets_a_sync_same_city_and_an_async_fenyi_standby():
    layout = pg.plan(load_inventory(LAB), "data-exchange", "cloud-prod-1")
    assert [(n.host, n.kind, n.addr) for n in layout.standbys] == [
        ("cloud-dr-1", "sync-same-city", "198.19.1.10"), ("cloud-remote-1", "async-remote", "198.19.2.10")]
    assert layout.sync_names == "FIRST 1 (cloud_dr_1)"
    paths = {"sock": "/s", "tls": "/t", "passfile": "/p"}
    primary = pg.render(layout, "cloud-prod-1", paths)
    assert "synchronous_standby_names = 'FIRST 1 (cloud_dr_1)'" in primary["postgresql.conf"]
    assert "primary_conninfo" not in primary["postgresql.conf"]
    assert "hostssl replication     replicator      198.19.2.10/32      scram-sha-256" in primary["pg_hba.conf"]
    assert "synchronous_standby_names" not in pg.render(layout, "cloud-prod-1", paths, bootstrap=True)["postgresql.conf"]
    standby = pg.render(layout, "cloud-remote-1", paths)["postgresql.conf"]
    # a promoted standby must not wait for a sync partner; it reaches the primary with TLS and a passfile
    assert "synchronous_standby_names" not in standby
    assert ("primary_conninfo = 'host=198.19.0.10 port=5432 user=replicator application_name=cloud_remote_1 "
            "sslmode=verify-full sslrootcert=/t/ca.crt passfile=/p") in standby


def test_tier_3_gets_only_the_async_remote_standby(inv_copy):
    cat = inv_copy / "group_vars" / "all" / "catalogue.yml"
    cat.write_text(cat.read_text().replace("    dr_tier: 5\n", "    dr_tier: 3\n", 1))
    layout = pg.plan(load_inventory(inv_copy), "data-exchange", "cloud-prod-1")
    assert [n.kind for n in layout.standbys] == ["async-remote"] and layout.sync_names == ""


def test_sync_promised_to_a_centre_the_sot_does_not_have_stops_with_the_place(inv_copy):
    centres = inv_copy / "group_vars" / "all" / "centres.yml"
    centres.write_text(centres.read_text().replace("role: same_city_dr", "role: remote_dr"))
    with pytest.raises(pg.PlanError) as err:
        pg.plan(load_inventory(inv_copy), "data-exchange", "cloud-prod-1")
    assert err.value.problems == [
        "catalogue.yml: systems[data-exchange].dr_tier=5 (sync-same-city+async-remote) promises a sync-same-city "
        "replica, but centres.yml has no centre with role same_city_dr"]


def test_a_standby_named_in_the_wrong_centre_is_refused():
    with pytest.raises(pg.PlanError, match=r"cloud-remote-1.centre=fenyi-dr has role remote_dr; the sync-same-city"):
        pg.plan(load_inventory(LAB), "data-exchange", "cloud-prod-1", {"sync-same-city": "cloud-remote-1"})


def test_missing_replication_secret_names_the_vault_variable(inv_copy):
    (inv_copy / "group_vars" / "all" / "vault_db.yml").unlink()
    with pytest.raises(pg.PlanError) as err:
        pg.secrets(inv_copy)
    assert any("vault_pg_replication_password (replication password) is missing" in p for p in err.value.problems)
    assert any("vault_pg_app_password" in p for p in err.value.problems)


class RecordingLab:
    """A lab that records every command: bad input must reach none of them."""

    def __init__(self, run_dir: Path):
        self.run_dir, self.calls = run_dir, []

    def run(self, *a, **kw):
        self.calls.append(a)
        raise AssertionError("the lab was touched")

    def netns(self, node):
        self.calls.append(node)
        return node


@pytest.mark.parametrize("breakage", ["no-same-city", "no-secret"])
def test_bad_input_stops_before_anything_changes(inv_copy, tmp_path, breakage):
    if breakage == "no-same-city":
        centres = inv_copy / "group_vars" / "all" / "centres.yml"
        centres.write_text(centres.read_text().replace("role: same_city_dr", "role: remote_dr"))
    else:
        (inv_copy / "group_vars" / "all" / "vault_db.yml").unlink()
    lab = RecordingLab(tmp_path / "run")
    with pytest.raises(pg.PlanError):
        lab_cluster(lab, inv_copy, "data-exchange", "cloud-prod-1", "dept-srv-1").setup()
    assert lab.calls == [] and not (tmp_path / "run").exists()
