"""IPv6 readiness: planned addresses per device, website checks against a tiny local site."""

from __future__ import annotations

import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govops import ipv6
from govops.sot import load_inventory
from monitoring.readiness.collector import device_families, website_families
from monitoring.readiness.devices import DeviceReadiness, county_of, planned_addresses
from monitoring.readiness.websites import NameMap, check_site
from tests.paths import ROOT


@pytest.fixture(scope="module")
def inv():
    return load_inventory(ROOT / "inventories" / "lab")


def test_planned_addresses_are_loopback_and_link_ends(inv):
    plan = ipv6.require_plan(inv)
    got = planned_addresses(inv, plan, "fy-yq-acc-1")
    links = [ln for ln in inv.links if "fy-yq-acc-1" in (ln.a.device, ln.b.device)]
    assert plan.loopbacks["fy-yq-acc-1"].ip in got
    assert len(got) == 1 + len(links)


def test_county_of_a_township_site(inv):
    assert county_of(inv, "fenyi-yangqiao") == "fenyi"
    assert county_of(inv, "fenyi") == "fenyi"
    assert county_of(inv, "city") == "city"


def test_device_ratios_by_tier_and_county():
    rs = [DeviceReadiness("a", "fenyi", "access", "huawei", "fenyi", 3, 3, True, None),
          DeviceReadiness("b", "fenyi-x", "access", "huawei", "fenyi", 3, 1, True, None),
          DeviceReadiness("c", "city", "core", "huawei", "city", 2, 2, False, None)]
    fams = {f.name: f for f in device_families(rs)}
    assert {s.labels["tier"]: s.value for s in fams["govops_ipv6_dual_stack_ratio_by_tier"].samples} == \
        {"access": 0.5, "core": 0.0}  # c: the walk failed, so not counted as dual-stack
    assert not fams["govops_ipv6_loopback_reachable"].samples  # probe disabled: no series, not 0


def _v6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@pytest.fixture
def site(tmp_path):
    """www.gm.example on 127.0.0.1 and ::1 (same content); links to a v4-only host and a missing page."""
    (tmp_path / "index.html").write_text(
        '<a href="/a.html">a</a> <a href="http://old.gm.example:{PORT}/x.html">old</a> <a href="/b.html">b</a>')
    (tmp_path / "a.html").write_text('<a href="/c.html">c</a>')
    (tmp_path / "b.html").write_text("b")
    (tmp_path / "c.html").write_text("c")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    v4 = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = v4.server_address[1]
    v6 = _V6Server(("::1", port), handler)
    (tmp_path / "index.html").write_text((tmp_path / "index.html").read_text().replace("{PORT}", str(port)))
    for srv in (v4, v6):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    names = tmp_path / "hosts"
    names.write_text("127.0.0.1 www.gm.example old.gm.example\n::1 www.gm.example\n")
    yield f"http://www.gm.example:{port}/", NameMap(names), tmp_path
    for srv in (v4, v6):
        srv.shutdown()
        srv.server_close()


@pytest.mark.skipif(not _v6_available(), reason="no IPv6 on loopback here")
def test_website_checks(site):
    url, names, _ = site
    rep = check_site(url, names, timeout=2)
    assert rep.aaaa and rep.ipv6_reachable and rep.consistent
    # Second level: a.html, b.html (v6 ok) and old.gm.example (v4 only) → 2 of 3.
    assert (rep.link_ipv6[2], rep.link_total[2]) == (2, 3)
    # Third level: c.html (linked from a.html).
    assert (rep.link_ipv6[3], rep.link_total[3]) == (1, 1)
    fams = {f.name: f for f in website_families([("gov-portal", "gov-office", rep)])}
    ratio = {s.labels["level"]: s.value for s in fams["govops_website_link_ipv6_ratio"].samples}
    assert ratio == {"2": pytest.approx(2 / 3), "3": 1.0}


@pytest.mark.skipif(not _v6_available(), reason="no IPv6 on loopback here")
def test_website_without_aaaa_and_with_different_v6_content(site, tmp_path):
    url, _, root = site
    names = tmp_path / "v4only"
    names.write_text("127.0.0.1 www.gm.example\n")
    rep = check_site(url, NameMap(names), timeout=2)
    assert not rep.aaaa and not rep.ipv6_reachable and not rep.consistent
    assert rep.link_total[2] == 3 and rep.link_ipv6[2] == 0
