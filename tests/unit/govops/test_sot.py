"""The source of truth: valid inventories load; each kind of broken input is reported with
its file and key, and every problem comes in one run."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from govops.sot import InventoryError, load_inventory
from tests.paths import ROOT

INVENTORIES = [p for p in (ROOT / "inventories").iterdir() if (p / "hosts.yml").exists()]


@pytest.mark.parametrize("inv_dir", INVENTORIES, ids=lambda p: p.name)
def test_shipped_inventories_are_valid(inv_dir: Path) -> None:
    inv = load_inventory(inv_dir)
    assert inv.devices and inv.links and inv.systems and len(inv.centres) == 3
    platforms = {d.platform for d in inv.devices.values()}
    assert platforms == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}
    assert all(d.password and d.snmp and d.snmp.community for d in inv.devices.values()), "vault secrets resolved"


def test_city_has_three_tiers_and_five_counties() -> None:
    inv = load_inventory(ROOT / "inventories" / "xinyu")
    counties = {s.name for s in inv.sites.values() if s.kind == "county"}
    assert counties == {"分宜县", "渝水区", "仙女湖区", "高新区", "新宜吉合作示范区"}
    assert len([d for d in inv.devices.values() if d.role == "core"]) == 2
    assert 35 <= len([d for d in inv.devices.values() if d.role == "access"]) <= 45
    assert len(inv.departments) >= 35 and len(inv.systems) >= 120


@pytest.mark.parametrize("inv_dir", INVENTORIES, ids=lambda p: p.name)
def test_ansible_inventory_graph_matches_sot(inv_dir: Path) -> None:
    """What ansible-inventory shows is what govops loads: same hosts, same groups."""
    out = subprocess.run([str(ROOT / ".venv/bin/ansible-inventory"), "-i", str(inv_dir), "--graph"],
                         capture_output=True, text=True, check=True).stdout
    graph_groups: dict[str, set[str]] = {}
    stack: list[tuple[int, str]] = []
    for line in out.splitlines():
        name = re.sub(r"^[\s|\-]*", "", line)
        depth = len(line) - len(name)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if name.startswith("@"):
            group = name[1:].rstrip(":")
            graph_groups.setdefault(group, set())
            stack.append((depth, group))
        else:
            for _, group in stack:
                graph_groups[group].add(name)
    inv = load_inventory(inv_dir)
    graph_groups = {g: h for g, h in graph_groups.items() if h or g != "ungrouped"}
    assert {g: set(h) for g, h in inv.groups.items()} == graph_groups
    assert graph_groups["all"] == set(inv.devices) | set(inv.hosts)


# -- broken inventories ---------------------------------------------------------------------------
def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def hosts(data: dict, group: str) -> dict:
    top = data["all"]["children"]
    return (top["extranet"]["children"] if group in ("core", "aggregation", "access")
            else top["servers"]["children"])[group]["hosts"]


def problems_of(inv_dir: Path) -> list[str]:
    with pytest.raises(InventoryError) as err:
        load_inventory(inv_dir)
    return [str(p) for p in err.value.problems]


def assert_reported(problems: list[str], file_suffix: str, key: str, words: str) -> None:
    for p in problems:
        file, k, message = p.split(": ", 2)
        if file.endswith(file_suffix) and k == key and re.search(words, message):
            return
    raise AssertionError(f"no problem {file_suffix}: {key}: /{words}/ in:\n" + "\n".join(problems))


def test_unknown_platform(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: hosts(d, "core")["core-1"].update(platform="cisco_ios"))
    assert_reported(problems_of(lab_copy), "hosts.yml", "all.children.extranet.children.core.hosts.core-1.platform",
                    r"unknown platform 'cisco_ios'; expected one of huawei, huawei_vrpv8")


def test_duplicate_device_name(lab_copy: Path) -> None:
    text = (lab_copy / "hosts.yml").read_text()
    text = text.replace("            ys-agg-1:\n", "            fy-agg-1:\n", 1)
    (lab_copy / "hosts.yml").write_text(text)
    assert_reported(problems_of(lab_copy), "hosts.yml", "line 39", r"duplicate key 'fy-agg-1'")


def test_duplicate_address(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: hosts(d, "access")["fy-yq-acc-1"].update(ansible_host="198.18.0.31"))
    assert_reported(problems_of(lab_copy), "hosts.yml",
                    "all.children.extranet.children.access.hosts.fy-yq-acc-1.ansible_host",
                    r"duplicate address 198.18.0.31 \(also used by fy-fyz-acc-1\)")


def test_link_to_unknown_device_and_interface(lab_copy: Path) -> None:
    def change(d):
        d["links"][1]["b"] = "fy-agg-9:GigabitEthernet0/0/1"
        d["links"][2]["a"] = "core-2:Serial0/0/1"
    edit_yaml(lab_copy / "group_vars/all/topology.yml", change)
    problems = problems_of(lab_copy)
    assert_reported(problems, "group_vars/all/topology.yml", "links[1].b", r"link to unknown device 'fy-agg-9'")
    assert_reported(problems, "group_vars/all/topology.yml", "links[2].a",
                    r"unknown interface 'Serial0/0/1' for platform hp_comware")


def test_interface_used_twice(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/topology.yml",
              lambda d: d["links"][2].update(a="core-2:GigabitEthernet1/0/1"))
    assert_reported(problems_of(lab_copy), "group_vars/all/topology.yml", "links[2].a",
                    r"interface core-2:GigabitEthernet1/0/1 is used twice \(also by links\[0\].b\)")


def test_overlapping_prefixes(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/topology.yml", lambda d: d["links"][3].update(ipv4="198.18.8.2/31"))
    assert_reported(problems_of(lab_copy), "group_vars/all/topology.yml", "links[3].ipv4",
                    r"overlaps 198.18.8.2/31")


def test_address_outside_its_block(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: hosts(d, "core")["core-2"].update(loopback_ipv4="198.18.5.2"))
    assert_reported(problems_of(lab_copy), "hosts.yml", "all.children.extranet.children.core.hosts.core-2.loopback_ipv4",
                    r"loopback address 198.18.5.2 is outside its block 198.18.4.0/24")


def test_dependency_on_unknown_system_and_cycle(lab_copy: Path) -> None:
    def change(d):
        d["systems"][0]["depends_on"] = ["doc-exchange"]           # data-exchange <-> doc-exchange
        d["systems"][1]["depends_on"] = ["no-such-system"]
    edit_yaml(lab_copy / "group_vars/all/catalogue.yml", change)
    problems = problems_of(lab_copy)
    assert_reported(problems, "group_vars/all/catalogue.yml", "systems[1].depends_on[0]",
                    r"dependency on unknown system 'no-such-system'")
    assert_reported(problems, "group_vars/all/catalogue.yml", "systems[0].depends_on",
                    r"dependency cycle: data-exchange -> doc-exchange -> data-exchange")


def test_classified_system_in_cloud(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/catalogue.yml", lambda d: d["systems"][3].update(target="cloud"))
    assert_reported(problems_of(lab_copy), "group_vars/all/catalogue.yml", "systems[3].target",
                    r"classified \(涉密\) system 'police-intel' cannot be placed in the cloud")


def test_wrong_type_and_missing_key(lab_copy: Path) -> None:
    def change(d):
        d["systems"][0]["dr_tier"] = 9
        del d["systems"][1]["department"]
    edit_yaml(lab_copy / "group_vars/all/catalogue.yml", change)
    problems = problems_of(lab_copy)
    assert_reported(problems, "group_vars/all/catalogue.yml", "systems[0].dr_tier", r"less than or equal to 6 \(found 9\)")
    assert_reported(problems, "group_vars/all/catalogue.yml", "systems[1].department", r"missing")


def test_malformed_yaml_names_file_and_line(lab_copy: Path) -> None:
    path = lab_copy / "group_vars/all/centres.yml"
    path.write_text(path.read_text().replace("role: production", "role: [production"))
    assert_reported(problems_of(lab_copy), "group_vars/all/centres.yml", "line 9, column 13", r"malformed YAML")


def test_every_problem_in_one_run(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: hosts(d, "core")["core-1"].update(platform="junos"))
    edit_yaml(lab_copy / "group_vars/all/topology.yml", lambda d: d["links"][0].update(b="nowhere:Gi0"))
    edit_yaml(lab_copy / "group_vars/all/catalogue.yml", lambda d: d["systems"][2].update(department="nobody"))
    problems = problems_of(lab_copy)
    assert len(problems) >= 3
    assert_reported(problems, "hosts.yml", "all.children.extranet.children.core.hosts.core-1.platform", "unknown platform")
    assert_reported(problems, "topology.yml", "links[0].b", "unknown device 'nowhere'")
    assert_reported(problems, "catalogue.yml", "systems[2].department", "unknown department 'nobody'")


def test_wrong_vault_password(lab_copy: Path) -> None:
    (lab_copy / ".vault-pass").write_text("not-the-password\n")
    assert_reported(problems_of(lab_copy), "group_vars/all/vault.yml", "(vault)", "wrong vault password")


def test_validate_command_exit_codes(lab_copy: Path) -> None:
    govops = str(ROOT / ".venv/bin/govops")
    ok = subprocess.run([govops, "validate", "-i", str(lab_copy)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    edit_yaml(lab_copy / "hosts.yml", lambda d: hosts(d, "core")["core-1"].update(platform="junos"))
    bad = subprocess.run([govops, "validate", "-i", str(lab_copy)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "hosts.yml: all.children.extranet.children.core.hosts.core-1.platform: unknown platform 'junos'" in bad.stderr
