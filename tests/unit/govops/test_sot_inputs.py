"""Bad source-of-truth input that used to pass or be misreported (issue 14, problems 5, 7 and 8):
each is named with its file and key, once, and nothing else is blamed for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govops.sot import load_inventory
from govops.sot.loader import unsafe_name
from tests.paths import ROOT
from tests.unit.govops.sot_edits import TIER_KEY, assert_reported, edit_yaml, find, problems_of

SECOND_CORE_1 = """\
            core-1:
              ansible_host: 198.18.0.99
              platform: huawei
              model: S5735-L24T4X-A1
              os_version: V200R021C00SPC100
              site: fenyi-yangqiao
              loopback_ipv4: 198.18.4.99
"""


def add_under_access(inv: Path, entry: str) -> None:
    hosts = inv / "hosts.yml"
    text = hosts.read_text()
    marker = "        access:\n          hosts:\n"
    assert marker in text
    hosts.write_text(text.replace(marker, marker + entry, 1))


# -- 5: a device defined twice ----------------------------------------------------------------------
def test_a_device_defined_twice_is_an_error_not_a_merge(lab_copy: Path) -> None:
    add_under_access(lab_copy, SECOND_CORE_1)
    problems = problems_of(lab_copy)
    assert_reported(problems, "hosts.yml", TIER_KEY.format(tier="access", host="core-1"),
                    r"host 'core-1' is defined twice \(also at all\.children\.extranet\.children\.core\.hosts\.core-1 "
                    r"in .*hosts\.yml\)")


def test_a_device_listed_in_two_tiers_is_an_error(lab_copy: Path) -> None:
    """Listed without variables in a second tier group, it would take that tier's role silently."""
    add_under_access(lab_copy, "            core-1:\n")
    assert_reported(problems_of(lab_copy), "hosts.yml", TIER_KEY.format(tier="access", host="core-1"),
                    r"device 'core-1' is in `core` and `access`; expected one tier")


def test_membership_of_another_group_is_still_allowed(lab_copy: Path) -> None:
    """Ansible's usual way to tag hosts (a group listing them without variables) stays valid."""
    hosts = lab_copy / "hosts.yml"
    hosts.write_text(hosts.read_text() + "    wave1:\n      hosts:\n        core-1:\n        core-2:\n")
    inv = load_inventory(lab_copy)
    assert inv.devices["core-1"].platform == "huawei_vrpv8" and set(inv.groups["wave1"]) == {"core-1", "core-2"}


# -- 7: names that become paths -----------------------------------------------------------------------
UNSAFE = ["../core-9", "core/9", "core-9;reboot", "core\x1b[31m-9", "core\x00x", "core 9", "core\t9", "c" * 64,
          ".hidden", "core-9.", "a..b"]


@pytest.mark.parametrize("name", UNSAFE, ids=repr)
def test_unsafe_device_names_are_rejected(lab_copy: Path, name: str) -> None:
    escaped = name.encode("unicode_escape").decode().replace('"', '\\"')
    add_under_access(lab_copy, SECOND_CORE_1.replace("core-1:", f'"{escaped}":').replace("198.18.0.99", "198.18.0.98"))
    problems = problems_of(lab_copy)
    hit = find(problems, "hosts.yml", TIER_KEY.format(tier="access", host=name).encode("unicode_escape").decode()
               if not name.isprintable() else TIER_KEY.format(tier="access", host=name), r"is not a safe name")
    assert hit, "\n".join(problems)
    assert all(c.isprintable() for line in problems for c in line), "control characters reach the terminal"


def test_unsafe_site_id_is_rejected(lab_copy: Path) -> None:
    def change(d):
        d["sites"][2]["id"] = "../../etc"
    edit_yaml(lab_copy / "group_vars/all/city.yml", change)
    assert_reported(problems_of(lab_copy), "group_vars/all/city.yml", "sites[2].id", r"'\.\./\.\./etc' is not a safe name")


def test_safe_names_up_to_a_dns_label() -> None:
    assert unsafe_name("c" * 63) is None and unsafe_name("core-1.xinyu.gov.cn") is None
    assert unsafe_name("fy_agg_1") is None
    assert unsafe_name("c" * 64) and unsafe_name("") and unsafe_name("-core")


# -- 8: each problem against its own file, once, in natural order -------------------------------------------
def test_invalid_utf8_is_reported_against_its_own_file(lab_copy: Path) -> None:
    topology = lab_copy / "group_vars/all/topology.yml"
    topology.write_bytes(topology.read_bytes() + b"# caf\xe9 (Latin-1)\n")
    problems = problems_of(lab_copy)
    last_line = topology.read_bytes().count(b"\n")
    assert_reported(problems, "group_vars/all/topology.yml", f"line {last_line}, column 6", r"not valid UTF-8 \(byte 0xe9\)")
    assert not [p for p in problems if "vault.yml" in p], problems


@pytest.mark.parametrize("content, key, words", [
    ("", "(file)", r"empty: expected an Ansible YAML inventory"),
    ("- core-1\n- core-2\n", "(top)", r"expected a mapping of groups starting with `all:`.*found a list"),
    ("all:\n  children:\n    extranet:\n      hosts: [core-1, core-2]\n", "all.children.extranet.hosts",
     r"expected a mapping of host names, each with its variables, found list"),
], ids=["empty", "list", "hosts-list"])
def test_a_broken_hosts_file_is_named_and_nothing_cascades(lab_copy: Path, content: str, key: str, words: str) -> None:
    (lab_copy / "hosts.yml").write_text(content)
    problems = problems_of(lab_copy)
    assert_reported(problems, "hosts.yml", key, words)
    assert not [p for p in problems if "unknown device" in p], problems


def test_a_device_that_failed_validation_does_not_cascade(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: d["all"]["children"]["extranet"]["children"]["core"]["hosts"]["core-1"]
              .update(ansible_host="198.18.0.999"))
    problems = problems_of(lab_copy)
    assert_reported(problems, "hosts.yml", TIER_KEY.format(tier="core", host="core-1") + ".ansible_host",
                    r"not a valid IPv4 address")
    assert len(problems) == 1, problems  # not a dozen "unknown device 'core-1'" lines (links, uplinks)


def test_problems_are_in_natural_order(lab_copy: Path) -> None:
    def change(d):
        for n in range(len(d["links"]), 17):
            d["links"].append({"a": f"nowhere-{n}:GigabitEthernet0/0/1", "b": "core-1:GigabitEthernet0/3/1",
                               "ipv4": f"198.18.9.{2 * n}/31"})
    edit_yaml(lab_copy / "group_vars/all/topology.yml", change)
    keys = [p.split(": ", 2)[1] for p in problems_of(lab_copy) if p.split(": ", 2)[1].endswith("].a")]
    numbers = [int(k.split("[")[1].split("]")[0]) for k in keys]
    assert numbers == sorted(numbers) and 9 in numbers and 16 in numbers, keys


def test_variables_beside_the_current_directory_do_not_leak_in(tmp_path: Path) -> None:
    """Ansible also reads group_vars beside the playbook (the current directory): running govops from
    inside another inventory used to mix that inventory's variables, and its vault, into this one.
    (A fresh process: Ansible caches variable files per process.)"""
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "extranet.yml").write_text("ansible_user: leaked\n")
    probe = ("from govops.sot import load_inventory; "
             f"print(sorted({{d.username for d in load_inventory({str(ROOT / 'inventories' / 'lab')!r}).devices.values()}}))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['netops']"


def test_the_sot_has_no_kernel_name_rule(lab_copy: Path, monkeypatch) -> None:
    """Issue 13 problem 7 / issue 16: whether the lab can shorten a name is the lab's concern. With the
    vendor's own naming accepting it, a long real name is valid in the source of truth."""
    from govops.sot import checks

    monkeypatch.setattr(checks, "valid_interface", lambda platform, name: True)  # the vendor rule is H1's to widen
    edit_yaml(lab_copy / "group_vars/all/topology.yml",
              lambda d: d["links"][5].update(b="fy-fyz-acc-1:xxvgei-1/1/0/24.1001"))  # a ZXROS 25GE sub-interface
    inv = load_inventory(lab_copy)
    assert inv.links[5].b.interface == "xxvgei-1/1/0/24.1001"


def test_a_broken_section_does_not_cascade(lab_copy: Path) -> None:
    """`sites` not a list: one problem, not "unknown site" for every device, host and centre."""
    edit_yaml(lab_copy / "group_vars/all/city.yml", lambda d: d.update(sites="city, fenyi, yushui"))
    assert [p.split(": ", 1)[1] for p in problems_of(lab_copy)] == ["sites: expected a list, found str"]


def test_control_characters_in_a_site_name_are_rejected(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/city.yml", lambda d: d["sites"][1].update(name="分宜县\x1b[2J"))
    assert_reported(problems_of(lab_copy), "group_vars/all/city.yml", "sites[1].name", r"holds control characters")
