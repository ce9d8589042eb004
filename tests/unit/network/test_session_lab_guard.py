"""open_session refuses a lab device outside a lab's mgmt namespace before netmiko is reached
(issue 14, item 14); production addresses are not its business.

Runs where the unit tests run, the machine's root namespace: exactly the place from which a lab
connection would leave through the default route. netmiko's ConnectHandler is replaced by a
recorder, so the test proves no connection was even attempted (tests/lab/lab/test_lab_guard.py shows
the same end to end, counting packets).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from govops import labguard
from govops.sot import load_inventory
from network import session

LAB = Path(__file__).resolve().parents[3] / "inventories" / "lab"
pytestmark = pytest.mark.skipif(labguard.in_lab_workstation(), reason="runs inside a lab's mgmt namespace")


@pytest.fixture()
def connects(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    def recorder(**params):
        calls.append(params)
        return "connected"

    monkeypatch.setattr(session, "ConnectHandler", recorder)
    return calls


@pytest.fixture(scope="module")
def core1():
    return load_inventory(LAB, vault_password=(LAB / ".vault-pass").read_text().strip()).devices["core-1"]


def test_lab_device_is_refused_before_netmiko(core1, connects, tmp_path):
    with pytest.raises(session.LabNamespaceError) as err:
        session.open_session(core1, session.SessionOptions(known_hosts=tmp_path / "known_hosts"))
    assert connects == []
    message = str(err.value)
    assert "core-1 (198.18.0.11)" in message and "govops lab exec" in message
    assert "root network namespace" in message
    assert core1.password not in message


def test_refusal_is_a_session_error_callers_already_report(core1, connects, tmp_path):
    with pytest.raises(session.SessionError):
        session.open_session(core1, session.SessionOptions(known_hosts=tmp_path / "known_hosts"))


def test_production_address_is_not_the_guards_business(core1, connects, tmp_path):
    prod = core1.model_copy(update={"mgmt_ipv4": ipaddress.ip_address("10.20.0.11")})
    conn = session.open_session(prod, session.SessionOptions(known_hosts=tmp_path / "known_hosts"))
    assert conn == "connected" and connects[0]["host"] == "10.20.0.11"


@pytest.mark.parametrize(("address", "lab"), [("198.18.0.11", True), ("198.19.255.1", True), ("198.20.0.1", False),
                                              ("2001:db8:4600:ff::11", True), ("2001:db9::1", False),
                                              ("10.0.0.1", False), ("core-1.example", False)])
def test_lab_ranges(address, lab):
    assert labguard.is_lab_address(address) is lab
