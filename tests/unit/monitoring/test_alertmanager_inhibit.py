"""The committed Alertmanager config, run by Debian's Alertmanager: which alerts a
DeviceUnreachable silences (issue 14, item 15).

A device that does not answer makes its interface and drift alerts noise: they are inhibited for
that device only, never for another. Alerts are posted to a real Alertmanager (API v2) on a free
loopback port, clustering off; its own `status.inhibitedBy` is the verdict.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.paths import ROOT

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(not BINARY, reason="alertmanager (Debian prometheus-alertmanager) not installed")
CONFIG = ROOT / "monitoring" / "alertmanager" / "alertmanager.yml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def alertmanager(tmp_path):
    port = _free_port()
    log = open(tmp_path / "alertmanager.log", "w")
    proc = subprocess.Popen([BINARY, f"--config.file={CONFIG}", f"--storage.path={tmp_path}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/api/v2"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/status", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail((tmp_path / "alertmanager.log").read_text())
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _post(url: str, alerts: list[dict]) -> None:
    now = dt.datetime.now(dt.UTC)
    body = [{"labels": a, "startsAt": now.isoformat(), "endsAt": (now + dt.timedelta(hours=1)).isoformat()}
            for a in alerts]
    req = urllib.request.Request(f"{url}/alerts", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5)


def _inhibited(url: str, want: int) -> dict[tuple[str, str], bool]:
    """(alertname, device) -> inhibited, once Alertmanager has seen `want` alerts."""
    for _ in range(100):
        alerts = json.load(urllib.request.urlopen(f"{url}/alerts", timeout=5))
        if len(alerts) >= want:
            break
        time.sleep(0.1)
    return {(a["labels"]["alertname"], a["labels"].get("device", "")): bool(a["status"]["inhibitedBy"])
            for a in alerts}


def test_device_unreachable_inhibits_its_drift_and_interface_alerts_only(alertmanager):
    common = {"site": "fenyi", "department": "noc"}
    _post(alertmanager, [
        {"alertname": "DeviceUnreachable", "device": "fy-agg-1", "severity": "critical", **common},
        {"alertname": "ConfigDrift", "device": "fy-agg-1", "severity": "warning", **common},
        {"alertname": "UplinkDown", "device": "fy-agg-1", "severity": "critical", **common},
        {"alertname": "ConfigDrift", "device": "fy-yq-acc-1", "severity": "warning", **common},
    ])
    time.sleep(0.5)  # the inhibitor learns of the source alert asynchronously
    state = _inhibited(alertmanager, 4)
    assert state == {("DeviceUnreachable", "fy-agg-1"): False,
                     ("ConfigDrift", "fy-agg-1"): True,
                     ("UplinkDown", "fy-agg-1"): True,
                     ("ConfigDrift", "fy-yq-acc-1"): False}, state
