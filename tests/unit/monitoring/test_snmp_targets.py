"""Target resolution: device names and addresses from the SoT, auth names to credentials."""

from __future__ import annotations

import json

import pytest

from govops.sot import load_inventory
from monitoring.snmp.targets import TargetResolver, UnknownTarget, load_auth_file, split_host_port
from monitoring.snmp.transport import Endpoint
from tests.paths import ROOT


@pytest.fixture(scope="module")
def resolver():
    return TargetResolver.from_inventory(load_inventory(ROOT / "inventories" / "lab"), endpoint=Endpoint("", timeout=1.5))


def test_device_name_resolves_to_mgmt_address_with_v3_by_default(resolver):
    t = resolver.resolve("core-1", None)
    assert (t.endpoint.host, t.endpoint.port, t.endpoint.timeout) == ("198.18.0.11", 161, 1.5)
    assert t.creds.version == 3 and t.creds.user == "govops" and t.creds.priv_key == "Lab-Priv-Key-2026"


def test_mgmt_address_and_v2c(resolver):
    t = resolver.resolve("198.18.0.12", "v2c")
    assert t.creds.version == 2 and t.creds.community == "lab-ro-7f3e"


def test_unknown_target_and_unknown_auth_are_refused(resolver):
    with pytest.raises(UnknownTarget, match="not a device"):
        resolver.resolve("10.9.9.9", None)
    with pytest.raises(UnknownTarget, match="unknown auth"):
        resolver.resolve("core-1", "public_v2")


def test_auth_file_names_work_for_addresses_outside_the_sot(tmp_path, resolver):
    f = tmp_path / "auths.json"
    f.write_text(json.dumps({"bench": {"version": 2, "community": "c1"}}))
    r = TargetResolver(resolver.devices, load_auth_file(f))
    t = r.resolve("127.0.0.1:1161", "bench")
    assert (t.endpoint.host, t.endpoint.port, t.creds.community) == ("127.0.0.1", 1161, "c1")


def test_split_host_port():
    assert split_host_port("[2001:db8::1]:1161") == ("2001:db8::1", 1161)
    assert split_host_port("2001:db8::1") == ("2001:db8::1", 161)
    assert split_host_port("core-1") == ("core-1", 161)
