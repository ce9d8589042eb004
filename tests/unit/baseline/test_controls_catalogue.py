"""controls.yml: every control well-formed, the MLPS mapping right, bad entries named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govops.sot import InventoryError
from security.baseline.catalogue import CATALOGUE, CLAUSES, load_controls
from security.baseline.check_kinds import KINDS, compare

CONTROLS = load_controls()


def test_every_control_has_id_clause_titles_settings_and_a_known_check():
    assert len(CONTROLS) >= 20
    for c in CONTROLS:
        assert c.id.startswith(c.ces1 + ".") and c.clause in CLAUSES
        assert c.title.zh and c.title.en and c.settings
        assert c.check.kind in KINDS


def test_ids_are_unique_and_ces1_16_is_never_used():
    ids = [c.id for c in CONTROLS]
    assert len(ids) == len(set(ids))
    assert not any(c.ces1 == "L3-CES1-16" for c in CONTROLS)


def test_the_issue_s_areas_are_all_covered():
    """Each area the MLPS issue lists maps to at least one control."""
    ids = " ".join(c.id for c in CONTROLS)
    for area in ("pwquality", "ageing", "faillock", "shell-timeout", "ssh-idle", "ssh-crypto", "ssh-pubkey",
                 "ssh-banner", "auditd-rules", "log-retention", "remote-syslog", "sensitive-files",
                 "minimal-services", "high-risk-ports", "time-sync", "kernel-sysctl", "network-sysctl",
                 "no-core-dumps"):
        assert f".{area}" in ids, area
    clauses = {c.clause for c in CONTROLS}
    assert {"身份鉴别", "访问控制", "安全审计", "入侵防范", "剩余信息保护"} <= clauses


def test_role_defaults_meet_the_catalogue_thresholds():
    """The hardening role's numbers satisfy the checks it will be audited against."""
    defaults = yaml.safe_load((Path(__file__).resolve().parents[3] / "collections/ansible_collections/xinyu/govops/roles/hardening/defaults/main.yml").read_text())
    by_id = {c.id: c.check.params for c in CONTROLS}
    assert compare(str(defaults["hardening_pw_minlen"]), by_id["L3-CES1-01.pwquality"]["expect"]["minlen"])
    assert compare(str(defaults["hardening_pw_max_days"]), by_id["L3-CES1-01.ageing"]["expect"]["PASS_MAX_DAYS"])
    assert compare(str(defaults["hardening_faillock_deny"]), by_id["L3-CES1-02.faillock"]["expect"]["deny"])
    assert defaults["hardening_log_rotate_weeks"] * 7 >= by_id["L3-CES1-14.log-retention"]["min_days"]
    allowed = by_id["L3-CES1-03.ssh-crypto"]["subset"]
    assert set(defaults["hardening_ssh_ciphers"]) <= set(allowed["ciphers"])
    assert set(defaults["hardening_ssh_macs"]) <= set(allowed["macs"])
    assert set(defaults["hardening_ssh_kex"]) <= set(allowed["kexalgorithms"])
    for key, want in by_id["L3-CES1-22.kernel-sysctl"]["expect"].items():
        assert str(defaults["hardening_sysctl_kernel"][key]) == want, key
    for key, want in by_id["L3-CES1-22.network-sysctl"]["expect"].items():
        assert str(defaults["hardening_sysctl_net"][key]) == want, key


@pytest.mark.parametrize("found,expectation,ok", [
    ("8", ">= 8", True), ("7", ">= 8", False), ("90", "<= 90", True), ("99999", "<= 90", False),
    ("0", "1..300", False), ("300", "1..300", True), ("no", "== no", True), ("yes", "== no", False),
    ("prohibit-password", "in prohibit-password,no", True), ("yes", "in prohibit-password,no", False),
    (None, ">= 8", False), ("abc", ">= 8", False),
])
def test_compare(found, expectation, ok):
    assert compare(found, expectation) is ok


def test_a_broken_catalogue_names_every_problem_with_its_place(tmp_path: Path):
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    good = data["controls"][0]
    data["controls"] = [
        {**good, "id": "L3-CES1-16.nothing", "ces1": "L3-CES1-16"},          # 16 is not an 身份鉴别 item
        {**good, "clause": "天气预报"},                                       # unknown clause
        {k: v for k, v in good.items() if k != "check"},                     # no check
        {**good, "check": {"kind": "telepathy"}},                            # unknown kind
        {**good, "check": {"kind": "config_values", "files": ["/x"], "separator": "=", "expect": {"a": "~ 3"}}},
        good, good,                                                          # duplicate id
    ]
    path = tmp_path / "controls.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InventoryError) as err:
        load_controls(path)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "controls[0]" in text and "L3-CES1-16 is not an evaluation item of 身份鉴别" in text
    assert "controls[1]" in text and "unknown MLPS clause '天气预报'" in text
    assert "controls[2]" in text and "check" in text
    assert "controls[3]" in text and "unknown check kind 'telepathy'" in text
    assert "controls[4]" in text and "expect.a" in text
    assert "duplicate control id" in text
    assert all(p.file == str(path) for p in err.value.problems)
