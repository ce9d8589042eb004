"""Host keys are verified against known_hosts; an unknown key is refused unless the lab flag says so."""

from __future__ import annotations

from pathlib import Path

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


# ---- Comware pushes read to the prompt (issue 20) --------------------------------------------------
COMWARE = "core-2"
ACL = 3990  # an ACL number the lab's intents never use


def _acl_lines(bad_line: int = 0) -> list[str]:
    """20 configuration lines: the ACL view, 18 rules, the step back. ``bad_line`` (1-based) is
    misspelt so the device refuses it ("% Unrecognized command found at '^' position.")."""
    lines = [f"acl ipv6 advanced {ACL}",
             *(f" rule {n * 5} permit ipv6 source 2001:db8:20:{n:x}::/64" for n in range(1, 19)), "quit"]
    if bad_line:
        lines[bad_line - 1] = lines[bad_line - 1].replace("rule", "rulee")
    return lines


def _sessions(mgmt, lab, dev):
    from network import platforms

    conn = mgmt.call(session.open_session, dev, session.SessionOptions(known_hosts=lab.known_hosts))
    return conn, platforms.driver_for(dev.platform, conn)


def test_comware_twenty_line_push_reads_to_the_prompt_and_rolls_back(lab, mgmt):
    """No 2 s of silence per line: the time is printed (speed is reported, never asserted)."""
    import time

    dev = load_inventory(lab.inventory).devices[COMWARE]
    conn, drv = _sessions(mgmt, lab, dev)
    try:
        mgmt.call(drv.prepare)  # the archive a rollback returns to, as the engine takes it
        before = mgmt.call(drv.running)
        lines = _acl_lines()
        t0 = time.perf_counter()
        mgmt.call(drv.push, lines)
        took = time.perf_counter() - t0
        print(f"\nComware push of {len(lines)} lines (+ the commit-delay line): {took:.2f} s")
        after = mgmt.call(drv.running)
        assert all(ln.strip() in after for ln in lines[1:-1]), "a pushed rule is missing from the running config"
        mgmt.call(drv.rollback, [])  # configuration replace file <archive>, commit delay stopped
        assert mgmt.call(drv.running) == before
    finally:
        mgmt.call(conn.disconnect)


def test_comware_error_on_line_10_stops_the_push_and_rolls_back_on_the_same_session(lab, mgmt, tmp_path,
                                                                                      monkeypatch):
    """An error line in the middle still stops the push at once: lines 11-20 never reach the
    device, the engine rolls back to the archive on the session it has (no second login) and the
    running configuration is byte-identical to the original backup."""
    from govops import vendors
    from network import config as cfgtext
    from network import transaction
    from network.journal import Journal

    inv = load_inventory(lab.inventory)
    vendor = vendors.get("hp_comware")
    lines = _acl_lines(bad_line=10)

    class Rendered:
        platform = "hp_comware"
        blocks = cfgtext.parse("\n".join(lines[:-1]), vendor)

    class TwentyLines:
        name, success, already, verified = "ts-acl", "pushed", "present", "not reached"

        def render(self, device):
            return Rendered()

        def precheck(self, drv, rendered, running):
            return []

        def verify(self, ctx, drv, rendered, baseline):
            return []

    sent: list[str] = []
    opened: list[str] = []
    real_open = transaction.open_session

    def record_write(self, out_data):  # a real session; this only keeps what was written
        sent.append(out_data)
        return super(session.PromptReads, self).write_channel(out_data)

    def record_open(dev, opts):
        opened.append(dev.name)
        return real_open(dev, opts)

    monkeypatch.setattr(session.PromptReads, "write_channel", record_write, raising=False)
    monkeypatch.setattr(transaction, "open_session", record_open)
    journal = Journal(tmp_path / "journal.jsonl")
    ctx = transaction.ChangeContext(inv, None, journal, tmp_path / "backups",
                                    session.SessionOptions(known_hosts=lab.known_hosts))
    out = mgmt.call(transaction.apply_intent, ctx, TwentyLines(), COMWARE)
    assert out.result == transaction.ROLLED_BACK, out.detail
    assert "rulee" in out.detail  # the refused line is named
    typed = "".join(sent)
    assert all(ln.strip() in typed for ln in lines[:10]), "lines 1-10 were sent"
    never = [ln.strip() for ln in lines[10:-1]]  # the 20th line is `quit`, which a logout also types
    assert not [ln for ln in never if ln in typed], "a line after the refused one reached the device"
    assert opened == [COMWARE], "the rollback opened another session"
    steps = [(e["step"], e["outcome"]) for e in journal.entries()]
    assert ("push", "failed") in steps and steps[-2:] == [("rollback", "ok"), ("done", transaction.ROLLED_BACK)]
    backup = next(e["backup"] for e in journal.entries() if e["step"] == "begin")
    monkeypatch.undo()
    conn, drv = _sessions(mgmt, lab, inv.devices[COMWARE])
    try:
        now = cfgtext.normalise_text(mgmt.call(drv.running), vendor)
    finally:
        mgmt.call(conn.disconnect)
    assert now == Path(backup).read_text()
    assert f"acl ipv6 advanced {ACL}" not in now
