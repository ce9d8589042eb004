"""`govops net drift` when a device cannot be read: its drift is unknown, not found (issue 14, 15).

The command runs for real on the lab inventory (load, plan, render, compare, metrics, exit code);
only the fetch of running configs is replaced, since no device is reachable here: one device
answers with its exact intent, the others with the error a failed session gives.
"""

from __future__ import annotations

from pathlib import Path

from govops import cli
from network import backup, render
from network import cli as netcli

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "inventories" / "lab"


def _drift(tmp_path, monkeypatch, capsys, readable: dict[str, str]) -> tuple[int, str, str]:
    def fetch(inv, names, args):
        return {n: backup.Fetched(n, text=readable[n]) if n in readable
                else backup.Fetched(n, error=f"{n}: unreachable after 4 attempts: NetmikoTimeoutException")
                for n in names}

    monkeypatch.setattr(netcli, "_fetch", fetch)
    metrics = tmp_path / "drift.prom"
    rc = cli.main(["net", "drift", "-i", str(LAB), "--vault-password-file", str(LAB / ".vault-pass"),
                   "--metrics", str(metrics)])
    return rc, capsys.readouterr().out, metrics.read_text()


def _intent_text(name: str) -> str:
    from govops import ipv6
    from govops.sot import load_inventory

    inv = load_inventory(LAB)
    intent = render.build_intent(inv, ipv6.require_plan(inv), name)
    return intent.text + intent.ospf2_text  # the device as designed: dual-stack intent and OSPF


def test_unreadable_device_is_unknown_not_drifted(tmp_path, monkeypatch, capsys):
    rc, out, prom = _drift(tmp_path, monkeypatch, capsys, {"core-1": _intent_text("core-1")})
    assert rc == 3, out  # distinct from 1 (drift found) and 0 (all clean)
    assert "drifted" not in out and "drift: " not in out
    assert "unknown: core-2" in out
    assert "govops_net_drift_devices 0.0" in prom
    assert 'govops_net_drift{device="core-1",site="city",tier="core"} 0.0' in prom
    assert 'govops_net_drift{device="core-2"' not in prom  # absent: unknown, not 1
    assert 'govops_net_drift_unknown{device="core-2",site="city",tier="core"} 1.0' in prom
    assert 'govops_net_drift_unknown{device="core-1",site="city",tier="core"} 0.0' in prom


def test_real_drift_still_exits_1_next_to_unknown(tmp_path, monkeypatch, capsys):
    rc, out, prom = _drift(tmp_path, monkeypatch, capsys, {"core-1": "sysname core-1\n"})
    assert rc == 1, out
    assert "drift: core-1" in out and "drift: core-2" not in out
    assert "govops_net_drift_devices 1.0" in prom
