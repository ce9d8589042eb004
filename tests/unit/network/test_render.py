"""Golden files for every platform, determinism, routing toward the core, and bad input."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from govops import ipv6, vendors
from govops.sot import load_inventory
from network import config, render

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "golden"
LAB = ROOT / "inventories" / "lab"


@pytest.fixture(params=["ospf", "static"])
def igp(request, monkeypatch):
    """Both IPv6 routing modes: OSPFv3 from the SoT's routing design (the lab default) and the
    static routes a lab without FRR (GOVOPS_LAB_IGP=static) still gets."""
    monkeypatch.setenv("GOVOPS_LAB_IGP", request.param)
    return request.param


@pytest.fixture
def lab(igp):
    inv = load_inventory(LAB)
    return inv, ipv6.require_plan(inv)


@pytest.fixture
def static_lab(monkeypatch):
    monkeypatch.setenv("GOVOPS_LAB_IGP", "static")
    inv = load_inventory(LAB)
    return inv, ipv6.require_plan(inv)


def golden_cases():
    inv = load_inventory(LAB)
    return sorted(inv.devices)


@pytest.mark.parametrize("name", golden_cases())
def test_intent_and_undo_match_golden_files(lab, igp, name):
    inv, plan = lab
    intent = render.build_intent(inv, plan, name)
    mode = ".ospf3" if igp == "ospf" else ""
    for suffix, text in (("intent", intent.text), ("undo", intent.undo_text)):
        path = GOLDEN / f"{name}.{intent.platform}{mode}.{suffix}.cfg"
        if os.environ.get("GOVOPS_UPDATE_GOLDEN"):
            path.write_text(text)
        assert path.exists(), f"missing golden file {path}; run with GOVOPS_UPDATE_GOLDEN=1"
        assert text == path.read_text(), f"{name} {suffix} differs from {path}"


def test_every_platform_has_a_golden_file(lab):
    inv, _ = lab
    platforms = {p.name.split(".")[1] for p in GOLDEN.glob("*.intent.cfg") if ".ospf3." not in p.name}
    assert platforms == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}


def test_rendering_the_city_twice_is_identical():
    inv = load_inventory(ROOT / "inventories" / "xinyu")
    plan, _ = ipv6.plan_ipv6(inv, ipv6.load_plan(inv))
    first = {n: (i.text, i.undo_text) for n, i in render.render_all(inv, plan).items()}
    second = {n: (i.text, i.undo_text) for n, i in render.render_all(inv, plan).items()}
    assert first == second
    assert len(first) == len(inv.devices)


def test_undo_template_is_the_negation_of_the_intent(lab):
    """The pre-rendered undo set (for operators) and the engine's computed undo agree."""
    inv, plan = lab
    for name in inv.devices:
        intent = render.build_intent(inv, plan, name)
        interfaces = [config.Block(b.header) for b in intent.blocks if b.header.startswith("interface ")]
        computed = config.undo_of(intent.blocks, interfaces, vendors.get(intent.platform))
        template = config.parse(intent.undo_text, vendors.get(intent.platform))
        norm = [(config.normalise_line(b.header), [config.normalise_line(c) for c in b.children]) for b in computed]
        want = [(config.normalise_line(b.header), [config.normalise_line(c) for c in b.children]) for b in template]
        if intent.platform == "huawei":  # the global switch is not part of a block the engine negates by itself
            assert want[-1] == ("undo ipv6", [])
        assert norm == want, name


def test_routes_point_toward_the_core(static_lab):
    inv, plan = static_lab
    acc = render.build_intent(inv, plan, "ys-lf-acc-1")
    assert [(str(r.prefix), r.via) for r in acc.routes] == [("::/0", "ys-agg-1")]
    agg = render.build_intent(inv, plan, "fy-agg-1")
    defaults = sorted(r.via for r in agg.routes if r.prefix.prefixlen == 0)
    assert defaults == ["core-1", "core-2"]
    specific = {str(r.prefix): r.via for r in agg.routes if r.prefix.prefixlen}
    assert specific[str(plan.loopbacks["fy-fyz-acc-1"].network)] == "fy-fyz-acc-1"
    assert all(v in ("fy-fyz-acc-1", "fy-yq-acc-1") for v in specific.values())
    core = render.build_intent(inv, plan, "core-1")
    to = {str(r.prefix): r.via for r in core.routes}
    assert to[str(plan.loopbacks["core-2"].network)] == "core-2"
    assert to[str(plan.loopbacks["ys-lf-acc-1"].network)] == "ys-agg-1"
    assert to[str(plan.segments["fy-yq-acc-1:GigabitEthernet 0/8"])] == "fy-agg-1"
    # nothing routed that is directly connected
    connected = {a.address.network for a in core.addresses}
    assert not connected & {r.prefix for r in core.routes}


def test_intent_found_in_a_running_config_means_nothing_missing(lab):
    inv, plan = lab
    intent = render.build_intent(inv, plan, "core-2")
    running = "#\n version 7.1\n#\n" + intent.text.replace("2001:db8", "2001:DB8").replace(
        "ipv6 route-static", " ipv6 route-static")
    assert config.missing(intent.blocks, config.parse(running, vendors.get("hp_comware"))) == []


def _copy_inventory(tmp_path: Path) -> Path:
    dst = tmp_path / "lab"
    shutil.copytree(LAB, dst)
    return dst


def test_plan_missing_a_link_is_refused_naming_it(tmp_path):
    path = _copy_inventory(tmp_path)
    data = yaml.safe_load((path / "ipv6-plan.yml").read_text())
    links = data["all"]["vars"]["ipv6_plan"]["links"]
    gone = sorted(links)[0]
    del links[gone]
    (path / "ipv6-plan.yml").write_text(yaml.safe_dump(data))
    inv = load_inventory(path)
    with pytest.raises(ipv6.PlanError) as exc:
        render.render_all(inv)
    assert gone in str(exc.value)


def test_platform_without_templates_is_refused(lab, monkeypatch, tmp_path):
    inv, plan = lab
    empty = tmp_path / "templates"
    empty.mkdir()
    shutil.copytree(render.TEMPLATES / "huawei", empty / "huawei")
    monkeypatch.setattr(render, "TEMPLATES", empty)
    with pytest.raises(render.RenderError) as exc:
        render.render_all(inv, plan)
    text = str(exc.value)
    assert "core-1.platform" in text and "huawei_vrpv8" in text
