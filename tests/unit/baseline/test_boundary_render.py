"""Boundary ruleset from the lab catalogue: golden file, nft syntax check, and what it must say."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from govops.sot import load_inventory
from security.boundary.render import BoundaryError, render_boundary
from tests.paths import ROOT

GOLDEN = Path(__file__).with_name("golden")
INVENTORY = ROOT / "inventories" / "lab"


@pytest.fixture(scope="module")
def inv():
    return load_inventory(INVENTORY)


@pytest.mark.parametrize("hook", ["forward", "input"])
def test_matches_golden(inv, hook):
    """Regenerate after an intended change: govops sec boundary render -i inventories/lab --hook H -o <golden>."""
    assert render_boundary(inv, hook=hook) == (GOLDEN / f"lab-xyj-prod.{hook}.nft").read_text()


def nft_check(path: Path) -> subprocess.CompletedProcess:
    # -c parses and checks against the kernel without applying; in a throwaway network namespace
    # so it never even reads the machine's own ruleset.
    if os.geteuid() == 0:
        cmd = ["unshare", "--net", "nft", "-c", "-f", str(path)]
    else:
        cmd = ["unshare", "--map-root-user", "--net", "nft", "-c", "-f", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True)


@pytest.mark.skipif(not shutil.which("nft") or not shutil.which("unshare"), reason="needs nft and unshare")
@pytest.mark.parametrize("hook", ["forward", "input"])
def test_nft_accepts_the_ruleset(inv, hook, tmp_path):
    path = tmp_path / "boundary.nft"
    path.write_text(render_boundary(inv, hook=hook))
    r = nft_check(path)
    if r.returncode != 0 and "Operation not permitted" in r.stderr:
        pytest.skip("no user namespaces for an unprivileged nft -c")
    assert r.returncode == 0, r.stderr
    # ...and the check is real: a broken rule is refused.
    path.write_text(render_boundary(inv, hook=hook).replace("tcp dport { 80, 443 }", "tcp dport { 80, 443 "))
    assert nft_check(path).returncode != 0


def test_policy_content(inv):
    text = render_boundary(inv, hook="forward")
    assert "policy drop;" in text and "ct state established,related accept" in text
    assert 'log prefix "govops-boundary-drop "' in text and "limit rate" in text
    assert "nd-neighbor-solicit" in text and "packet-too-big" in text
    # gov-portal runs in the cloud: its ports, both families, to the production centre's networks.
    assert 'ip saddr @extranet_v4 ip daddr @cloud_v4 tcp dport { 80, 443 } accept comment "gov-office/gov-portal"' in text
    assert 'ip6 saddr @extranet_v6 ip6 daddr @cloud_v6 tcp dport { 80, 443 } accept comment "gov-office/gov-portal"' in text
    assert "2001:db8:46c0::/48" in text and "198.19.0.0/24" in text
    # Systems not (yet) in the cloud get no opening; the classified one never does.
    for system in ("data-exchange", "doc-exchange", "police-intel"):
        assert system not in text


def test_a_system_migrated_to_the_cloud_opens_its_ports(lab_copy: Path):
    path = lab_copy / "group_vars" / "all" / "catalogue.yml"
    data = yaml.safe_load(path.read_text())
    for s in data["systems"]:
        if s["id"] == "data-exchange":
            s.update(location="cloud", status="migrated", ports=[443, 8443])
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    text = render_boundary(load_inventory(lab_copy))
    assert 'tcp dport { 443, 8443 } accept comment "bdc/data-exchange"' in text


def test_unknown_centre_is_a_clear_error(inv):
    with pytest.raises(BoundaryError, match="unknown centre 'nowhere'; centres: fenyi-dr, xyj-dr, xyj-prod"):
        render_boundary(inv, centre="nowhere")
