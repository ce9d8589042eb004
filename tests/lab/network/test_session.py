"""Host keys are verified against known_hosts; an unknown key is refused unless the lab flag says so."""

from __future__ import annotations

import pytest

from govops.sot import load_inventory
from network import session

pytestmark = pytest.mark.lab


def test_unknown_host_key_is_refused_and_lab_flag_accepts(lab, mgmt, tmp_path):
    dev = load_inventory(lab.inventory).devices["fy-agg-1"]
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(session.SessionError) as exc:
        mgmt.call(session.open_session, dev, session.SessionOptions(known_hosts=empty, attempts=1))
    assert "host key" in str(exc.value) and dev.password not in str(exc.value)
    conn = mgmt.call(session.open_session, dev, session.SessionOptions(accept_new_keys=True))
    try:
        assert "fy-agg-1" in conn.find_prompt()
    finally:
        mgmt.call(conn.disconnect)


def test_known_host_key_connects(lab, mgmt):
    dev = load_inventory(lab.inventory).devices["fy-yq-acc-1"]
    conn = mgmt.call(session.open_session, dev, session.SessionOptions(known_hosts=lab.known_hosts))
    try:
        assert conn.find_prompt().startswith("fy-yq-acc-1")
    finally:
        mgmt.call(conn.disconnect)
