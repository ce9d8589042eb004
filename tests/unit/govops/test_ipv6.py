"""The IPv6 plan: properties (no overlap, inside parents, stable under insertion) and the
plan file's round trip, conflicts and exhaustion."""

from __future__ import annotations

import copy
import ipaddress
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govops import ipv6
from govops.sot import load_inventory
from govops.sot.model import Device, Endpoint, Inventory, Link, Segment, Site
from tests.paths import ROOT

LAB = load_inventory(ROOT / "inventories" / "lab")


def grow(base: Inventory, townships: list[int], extra_links: int) -> Inventory:
    """The lab inventory plus new townships (one access device each, with a segment, linked to the
    county's aggregation device) and extra core-to-aggregation links."""
    sites, devices, links = dict(base.sites), dict(base.devices), list(base.links)
    counties = [s for s in base.sites.values() if s.kind == "county"]
    for n, county_index in enumerate(townships):
        county = counties[county_index % len(counties)]
        sid = f"{county.id}-t{n}"
        sites[sid] = Site(id=sid, name=f"t{n}", kind="township", parent=county.id, sample=True)
        name = f"acc-{n}"
        devices[name] = Device(name=name, platform="huawei", model="S5735", role="access", site=sid,
                               mgmt_ipv4=f"198.18.1.{n + 1}", loopback_ipv4=f"198.18.5.{n + 1}", os_version="V200",
                               segments=(Segment(interface="GigabitEthernet0/0/8", name="office",
                                                 ipv4=f"198.19.{100 + n}.1/24"),))
        links.append(Link(a=Endpoint(device="core-1", interface=f"GigabitEthernet0/2/{n}"),
                          b=Endpoint(device=name, interface="GigabitEthernet0/0/1"),
                          ipv4=f"198.18.9.{2 * n}/31"))
    for n in range(extra_links):
        links.append(Link(a=Endpoint(device="core-2", interface=f"GigabitEthernet2/0/{n}"),
                          b=Endpoint(device="ys-agg-1", interface=f"GigabitEthernet2/0/{n}"),
                          ipv4=f"198.18.10.{2 * n}/31"))
    return base.model_copy(update={"sites": sites, "devices": devices, "links": tuple(links)})


def allocations(plan: ipv6.Plan) -> dict[str, ipaddress.IPv6Network]:
    out = {}
    for section in ("sites", "centres", "loopbacks", "links", "segments"):
        for name, value in getattr(plan, section).items():
            out[f"{section}.{name}"] = value if isinstance(value, ipaddress.IPv6Network) else value.network
    return out


def parent_of(plan: ipv6.Plan, inv: Inventory, entry: str) -> ipaddress.IPv6Network:
    section, _, name = entry.partition(".")
    if section == "sites":
        site = inv.sites[name]
        return plan.sites[site.parent] if site.kind == "township" else plan.city
    if section == "segments":
        dev = inv.devices[name.split(":", 1)[0]]
        return plan.sites[dev.site]
    return {"centres": plan.city, "loopbacks": plan.loopback_pool, "links": plan.link_pool}[section]


growth = st.tuples(st.lists(st.integers(0, 4), max_size=12), st.integers(0, 6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(growth)
def test_no_overlap_and_inside_parent(spec) -> None:
    inv = grow(LAB, *spec)
    plan, _ = ipv6.plan_ipv6(inv)
    allocs = allocations(plan)
    for entry, prefix in allocs.items():
        assert prefix.subnet_of(parent_of(plan, inv, entry)), entry
    nested = {(e, f) for e in allocs for f in allocs
              if e != f and allocs[f].subnet_of(allocs[e]) and allocs[f].prefixlen > allocs[e].prefixlen}
    items = sorted(allocs.items())
    for i, (ea, pa) in enumerate(items):
        for eb, pb in items[i + 1:]:
            if pa.overlaps(pb):
                assert (ea, eb) in nested or (eb, ea) in nested, f"{ea} {pa} overlaps {eb} {pb}"
                assert ea.split(".")[0] != eb.split(".")[0] or ea.startswith("sites"), (ea, eb)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(growth, growth)
def test_insertion_never_renumbers(first, more) -> None:
    before_inv = grow(LAB, *first)
    before, _ = ipv6.plan_ipv6(before_inv)
    frozen = copy.deepcopy(allocations(before))
    after_inv = grow(LAB, first[0] + more[0], first[1] + more[1])
    after, added = ipv6.plan_ipv6(after_inv, copy.deepcopy(before))
    after_allocs = allocations(after)
    for entry, prefix in frozen.items():
        assert after_allocs[entry] == prefix, f"{entry} renumbered"
    assert len(after_allocs) == len(frozen) + len(added)


def test_link_addresses_are_rfc6164_pairs() -> None:
    plan, _ = ipv6.plan_ipv6(LAB)
    for link in LAB.links:
        a, b = plan.link_addresses(link)
        assert a.network == b.network and a.network.prefixlen == 127
        assert a.network.subnet_of(plan.links[link.key]) and a.ip != b.ip


def test_management_address_reads_like_the_ipv4() -> None:
    assert str(ipv6.management_ipv6(LAB, "198.18.0.11")) == "2001:db8:4600:ff::11/64"
    assert str(ipv6.management_ipv6(LAB, "198.18.2.105")) == "2001:db8:4600:ff::2:105/64"


@pytest.fixture
def planned(lab_copy: Path) -> Path:
    return lab_copy


def run_plan(inv_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/govops"), "ipv6", "plan", "-i", str(inv_dir), *extra],
                          capture_output=True, text=True)


def test_committed_plans_are_complete() -> None:
    for inv_dir in (ROOT / "inventories").iterdir():
        if (inv_dir / "hosts.yml").exists():
            inv = load_inventory(inv_dir)
            ipv6.require_plan(inv)  # raises naming what is missing


def test_write_is_idempotent_and_adding_a_township_only_adds(planned: Path) -> None:
    plan_path = planned / "ipv6-plan.yml"
    before = plan_path.read_text()
    assert run_plan(planned, "--write").returncode == 0
    assert plan_path.read_text() == before, "re-planning an unchanged inventory rewrote the plan"

    city = planned / "group_vars/all/city.yml"
    data = yaml.safe_load(city.read_text())
    data["sites"].append({"id": "yushui-yaoxu", "name": "姚圩镇", "kind": "township", "parent": "yushui"})
    city.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = run_plan(planned, "--write")
    assert result.returncode == 0, result.stderr
    old = yaml.safe_load(before)["all"]["vars"]["ipv6_plan"]
    new = yaml.safe_load(plan_path.read_text())["all"]["vars"]["ipv6_plan"]
    for section in ("sites", "centres", "loopbacks", "links", "segments"):
        for key, value in old[section].items():
            assert new[section][key] == value
    assert new["sites"]["yushui-yaoxu"] == "2001:db8:4603:200::/56"


def test_edited_plan_conflict_is_named(planned: Path) -> None:
    plan_path = planned / "ipv6-plan.yml"
    plan_path.write_text(plan_path.read_text().replace("fenyi-yangqiao: 2001:db8:4602:200::/56",
                                                       "fenyi-yangqiao: 2001:db8:4603:200::/56"))
    result = run_plan(planned)
    assert result.returncode == 2
    assert "all.vars.ipv6_plan.sites.fenyi-yangqiao: 2001:db8:4603:200::/56 should be a /56 inside 2001:db8:4602::/48" \
        in result.stderr


def test_exhaustion_is_a_clear_error(lab_copy: Path) -> None:
    inv = load_inventory(lab_copy)
    plan, _ = ipv6.plan_ipv6(inv)
    full = ipv6.Plan(city=plan.city, sites=dict(plan.sites), centres=dict(plan.centres))
    full.loopbacks = {f"x{i}": ipaddress.IPv6Interface(f"{plan.loopback_pool.network_address + i}/128")
                      for i in ipv6.LOOPBACK_RANGE}
    with pytest.raises(ipv6.PlanError) as err:
        ipv6.plan_ipv6(inv, full)
    assert "loopbacks.core-1: exhausted: no free /128 left in 2001:db8:4600::/64" in str(err.value)


def test_plan_missing_an_entry_is_reported(planned: Path) -> None:
    plan_path = planned / "ipv6-plan.yml"
    lines = [ln for ln in plan_path.read_text().splitlines() if "core-1:GigabitEthernet0/1/0--core-2" not in ln]
    plan_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ipv6.PlanError) as err:
        ipv6.require_plan(load_inventory(planned))
    assert "links.core-1:GigabitEthernet0/1/0--core-2:GigabitEthernet1/0/1: missing from the plan" in str(err.value)


def test_plan_file_is_an_ansible_inventory_source(tmp_path: Path) -> None:
    dest = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", dest)
    out = subprocess.run([str(ROOT / ".venv/bin/ansible-inventory"), "-i", str(dest), "--vault-password-file", str(dest / ".vault-pass"), "--host", "core-1"],
                         capture_output=True, text=True, check=True).stdout
    assert '"ipv6_plan"' in out and "2001:db8:4600::1/128" in out
