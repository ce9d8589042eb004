"""What the change engine decides before (or without) a device: bad input, journal, parsing, drift."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govops import ipv6, vendors
from govops.sot import load_inventory
from network import config, drift, platforms, render
from network.journal import Journal

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "inventories" / "lab"


def _entry(tmp_path: Path, inventory: Path, vault_password_file: str | None = None) -> dict:
    """The collection's action plugin (xinyu.govops.ipv6_upgrade, preflight) run by Ansible itself on
    the inventory given with -i and the vault password file given to Ansible."""
    args = {"preflight": True, "journal": str(tmp_path / "j.jsonl"), "backup_dir": str(tmp_path / "b")}
    argv = [str(Path(sys.executable).parent / "ansible"), "localhost", "-i", str(inventory),
            "--vault-password-file", vault_password_file or str(LAB / ".vault-pass"),
            "-m", "xinyu.govops.ipv6_upgrade", "-a", json.dumps(args)]
    proc = subprocess.run(argv, text=True, capture_output=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections")})
    out = proc.stdout + proc.stderr
    if "=>" not in proc.stdout:  # Ansible stopped before the task (e.g. the vault)
        return {"failed": proc.returncode != 0, "outcome": "bad_input", "msg": out}
    result = json.loads(proc.stdout.split("=>", 1)[1])
    return {"failed": proc.returncode != 0, "outcome": result.get("outcome", "bad_input"), "msg": result.get("msg", out)}


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "lab"
    shutil.copytree(LAB, dst)
    return dst


def test_wrong_vault_password_stops_before_any_device(tmp_path):
    wrong = tmp_path / "wrong-pass"
    wrong.write_text("not-the-password\n")
    result = _entry(tmp_path, _copy(tmp_path), vault_password_file=str(wrong))
    assert result["failed"] and result["outcome"] == "bad_input"
    assert "decryption failed" in result["msg"].lower()
    assert not (tmp_path / "j.jsonl").exists()  # the journal is written from the first device step on


def test_plan_missing_a_link_stops_before_any_device(tmp_path):
    inv_dir = _copy(tmp_path)
    data = yaml.safe_load((inv_dir / "ipv6-plan.yml").read_text())
    gone = sorted(data["all"]["vars"]["ipv6_plan"]["links"])[-1]
    del data["all"]["vars"]["ipv6_plan"]["links"][gone]
    (inv_dir / "ipv6-plan.yml").write_text(yaml.safe_dump(data))
    result = _entry(tmp_path, inv_dir)
    assert result["failed"] and result["outcome"] == "bad_input" and gone in result["msg"]
    assert not (tmp_path / "j.jsonl").exists()


def test_platform_without_template_stops_the_cli_with_exit_2(tmp_path):
    inv_dir = _copy(tmp_path)
    hosts = (inv_dir / "hosts.yml").read_text().replace("platform: zte_zxros", "platform: cisco_ios")
    (inv_dir / "hosts.yml").write_text(hosts)
    proc = subprocess.run([sys.executable, "-c", "import sys, argparse, network.cli as n\n"
                           "p = argparse.ArgumentParser(); s = p.add_subparsers(); n.add_cli(s)\n"
                           "a = p.parse_args(sys.argv[1:]); a.vault_password_file = None; sys.exit(a.func(a))",
                           "net", "upgrade", "-i", str(inv_dir), "--journal", str(tmp_path / "j.jsonl"),
                           "--known-hosts", str(tmp_path / "kh")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "fy-fyz-acc-1" in proc.stderr and "platform" in proc.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_journal_never_holds_a_secret_and_resumes(tmp_path):
    j = Journal(tmp_path / "j.jsonl", secrets=["S3cret!"])
    j.record("core-1", "precheck", "failed", "login S3cret! refused", {"first": ["x S3cret!"]})
    j.record("core-1", "done", "upgraded")
    j.record("core-2", "done", "rolled_back")
    text = (tmp_path / "j.jsonl").read_text()
    assert "S3cret!" not in text and "***" in text
    assert j.finished() == {"core-1": "upgraded"}
    with open(tmp_path / "j.jsonl", "a") as fh:
        fh.write('{"torn": ')  # a crash mid-write
    assert Journal(tmp_path / "j.jsonl").finished() == {"core-1": "upgraded"}


def test_normalisation_drops_volatile_lines_only():
    a = "Building configuration...\r\nCurrent configuration : 812 bytes\r\n\r\n!\r\nhostname x\r\n!\r\nend\r\n"
    b = "Building configuration...\nCurrent configuration : 900 bytes\n\n!\nhostname x\n!\nend\n"
    assert config.normalise_text(a, vendors.get("ruijie_os")) == config.normalise_text(b, vendors.get("ruijie_os")) == "!\nhostname x\n!\nend\n"


@pytest.mark.parametrize("platform,key,output,name,up", [
    ("huawei", "ip_brief", "Interface                         IP Address/Mask      Physical   Protocol\n"
     "GigabitEthernet0/0/1              198.18.8.3/31        up         up\n"
     "GigabitEthernet0/0/2              unassigned           down       down\n", "GigabitEthernet0/0/2", False),
    ("huawei_vrpv8", "ipv6_brief", "Interface                    Physical              Protocol VPN\n"
     "LoopBack0                    up                    up(s)    --\n[IPv6 Address] 2001:DB8::1\n", "LoopBack0", True),
    ("ruijie_os", "ipv6_brief", "GigabitEthernet 0/1              [up/up]\n    2001:DB8::1\n", "GigabitEthernet 0/1", True),
    ("hp_comware", "ipv6_brief", "Interface                                Physical Protocol IPv6 Address\n"
     "GigabitEthernet1/0/1                    *down     down       Unassigned\n", "GigabitEthernet1/0/1", False),
])
def test_interface_states_per_vendor(platform, key, output, name, up):
    assert platforms.interface_states(output, vendors.get(platform), key)[config.canonical_interface(name)] is up


def test_drift_rule_missing_and_unplanned():
    inv = load_inventory(LAB)
    plan = ipv6.require_plan(inv)
    intent = render.build_intent(inv, plan, "ys-lf-acc-1")
    text = intent.text + intent.ospf2_text  # the device as designed: dual-stack intent and OSPF
    running = text.replace("2001:db8", "2001:DB8") + "ipv6 route-static 2001:DB8:99:: 64 2001:DB8:4600:1007::2\n"
    running = running.replace(" ipv6 address 2001:DB8:4603:100::1/64\n", "")
    report = drift.compare(intent, running)
    assert report.missing == ["interface GigabitEthernet0/0/8 / ipv6 address 2001:db8:4603:100::1/64"]
    assert report.unplanned == ["ipv6 route-static 2001:DB8:99:: 64 2001:DB8:4600:1007::2"]
    assert not drift.compare(intent, text).drifted


def test_push_and_undo_only_cover_what_is_missing(monkeypatch):
    monkeypatch.setenv("GOVOPS_LAB_IGP", "static")  # the static-route intent (OSPFv3: test_ospf3_intent.py)
    inv = load_inventory(LAB)
    plan = ipv6.require_plan(inv)
    intent = render.build_intent(inv, plan, "fy-agg-1")
    before = config.parse("ipv6\n#\ninterface GigabitEthernet0/0/1\n ipv6 enable\n ip address 198.18.8.3 255.255.255.254\n#\n"
                          "interface LoopBack0\n ip address 198.18.4.21 255.255.255.255\n#\nreturn\n", vendors.get("huawei"))
    pushed = config.missing(intent.blocks, before)
    cmds = config.to_commands(pushed, vendors.get("huawei"))
    assert "ipv6" not in cmds  # already on: not pushed, so not undone either
    undo = config.to_commands(config.undo_of(pushed, before, vendors.get("huawei")), vendors.get("huawei"))
    assert "undo ipv6" not in undo
    assert undo[0].startswith("undo ipv6 route-static")
    # GigabitEthernet0/0/1 had `ipv6 enable` before: its undo removes only the address
    i = undo.index("interface GigabitEthernet0/0/1")
    assert undo[i + 1:i + 3] == ["undo ipv6 address 2001:db8:4600:1001::3/127", "quit"]


@pytest.mark.parametrize("line,secret", [
    ("snmp-agent community read Xy-Comm1", "Xy-Comm1"),
    ("snmp-agent community write cipher %^%#abc%^%#", "%^%#abc%^%#"),
    ("snmp-server community s3cr3tc RO", "s3cr3tc"),
    (" local-user netops password irreversible-cipher $1c$abcdef$", "$1c$abcdef$"),
    (" password simple Lab-Twin-2026", "Lab-Twin-2026"),
    ("enable secret 5 $1$xyz", "$1$xyz"),
])
def test_backups_mask_secrets(line, secret):
    text = config.normalise_text(f"#\n{line}\n#\nreturn\n", vendors.get("huawei"))
    assert secret not in text and config.MASK in text
    assert config.normalise_text("interface LoopBack0\n ipv6 address 2001:DB8::1/128\n", vendors.get("huawei")).count(config.MASK) == 0
