"""Rehearsal: doc-exchange moves from dept-srv-1 to cloud-prod-1 (playbooks/migrate_system.yml)."""

from __future__ import annotations

import json

import pytest

from lab import faults
from tests.lab.migrate.conftest import changed, http, journal, manifest, playbook

pytestmark = pytest.mark.lab

NAME = "http://doc-exchange.xinyu-lab.example:8080"
STEPS = ["precheck", "deploy_target", "preseed", "freeze", "final_sync", "start_target", "verify_target",
         "cutover", "verify"]


def served_by(lab, observer: str = "cloud-dr-1") -> dict:
    status, body = http(lab, observer, f"{NAME}/health")
    assert status == 200
    return json.loads(body)


def test_migration_completes_carries_late_writes_and_rerun_changes_nothing(lab, sample):
    jpath, base = sample
    assert served_by(lab)["host"] == "dept-srv-1"
    paused = playbook(lab, "migrate_system.yml", *base, "-e", "stop_after=preseed")
    assert paused.returncode == 0, paused.stdout[-2000:]
    # A user writes after the pre-seed: the final sync must carry it.
    assert http(lab, "cloud-dr-1", f"{NAME}/data/late.txt", "PUT", b"written during pre-seed")[0] == 201

    done = playbook(lab, "migrate_system.yml", *base)
    assert done.returncode == 0, done.stdout[-3000:]
    assert journal(jpath) == [(s, "ok") for s in STEPS]
    assert manifest(lab, "dept-srv-1", "doc-exchange") == manifest(lab, "cloud-prod-1", "doc-exchange")
    assert "late.txt" in manifest(lab, "cloud-prod-1", "doc-exchange")
    # Users on another host reach the name, now served by the production centre, data intact.
    assert served_by(lab)["host"] == "cloud-prod-1"
    assert http(lab, "cloud-remote-1", f"{NAME}/data/late.txt") == (200, b"written during pre-seed")

    again = playbook(lab, "migrate_system.yml", *base)
    assert again.returncode == 0 and changed(again) == 0
    assert len(journal(jpath)) == len(STEPS)


def test_link_loss_during_final_sync_rolls_back_and_a_rerun_completes(lab, sample):
    jpath, base = sample
    assert playbook(lab, "migrate_system.yml", *base, "-e", "stop_after=freeze").returncode == 0
    assert http(lab, "cloud-dr-1", f"{NAME}/data/x.txt", "PUT", b"x")[0] == 503  # frozen: writes refused
    try:
        faults.loss(lab, "core-1:GigabitEthernet0/1/7", "100%")  # the production centre's segment
        failed = playbook(lab, "migrate_system.yml", *base)
    finally:
        faults.clear(lab)
    assert failed.returncode != 0
    assert journal(jpath)[-2:] == [("final_sync", "failed"), ("rollback", "ok")]
    health = served_by(lab)
    assert health["host"] == "dept-srv-1" and health["frozen"] is False  # the old service keeps answering
    assert http(lab, "cloud-dr-1", f"{NAME}/data/x.txt", "PUT", b"x")[0] == 201

    rerun = playbook(lab, "migrate_system.yml", *base)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert journal(jpath)[-len(STEPS):] == [(s, "ok") for s in STEPS]
    assert served_by(lab)["host"] == "cloud-prod-1"
    assert manifest(lab, "dept-srv-1", "doc-exchange") == manifest(lab, "cloud-prod-1", "doc-exchange")


def test_manual_rollback_after_cutover_points_the_name_back(lab, sample):
    jpath, base = sample
    assert playbook(lab, "migrate_system.yml", *base).returncode == 0
    assert served_by(lab, "cloud-remote-1")["host"] == "cloud-prod-1"
    assert playbook(lab, "migrate_system.yml", *base, "-e", "operation=rollback").returncode == 0
    assert served_by(lab, "cloud-remote-1")["host"] == "dept-srv-1"
    assert journal(jpath)[-1] == ("rollback", "ok")
