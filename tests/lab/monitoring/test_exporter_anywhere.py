"""The exporters pointed at anything, from anywhere, with either failure semantics.

`govops exporter snmp --auth-file F` started from an empty temporary directory (no inventory,
no repository around it) scrapes a real net-snmp agent over v2c and v3 authPriv at a
`host:port` target; `--failed-scrape` picks what a dead target answers over real HTTP (200 with
snmp_up 0, or 500 with a reason, as snmp_exporter). The readiness exporter, also from a
temporary directory, probes a device at the auth file's credentials and a `--target` port.
Own namespace `gp-snmp-cli` (one snmpd), removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.snmp_agents import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, AgentNamespace

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not shutil.which("snmpd") or not shutil.which("curl"), reason="net-snmp and curl needed"),
]

NS = "gp-snmp-cli"
ROOT = Path(__file__).resolve().parents[3]
GOVOPS = str(Path(sys.executable).parent / "govops")  # the installed entry point, as a unit file runs it
AGENT = "127.0.0.1:1161"
DEAD = "127.0.0.1:1199"  # nothing listens there
PORTS = {"default": "127.0.0.1:29301", "status500": "127.0.0.1:29302", "readiness": "127.0.0.1:29303"}


def http(addr: str, path: str) -> tuple[int, str]:
    out = subprocess.run(["ip", "netns", "exec", NS, "curl", "-s", "-m", "20", "-w", "\n%{http_code}",
                          f"http://{addr}{path}"], capture_output=True, text=True, check=False).stdout
    body, _, code = out.rpartition("\n")
    return int(code or 0), body


def wait_listening(addr: str, proc: subprocess.Popen, log: Path) -> None:
    stop = time.monotonic() + 60
    while http(addr, "/")[0] == 0:
        assert proc.poll() is None, f"exporter exited {proc.returncode}: {log.read_text()[-2000:]}"
        assert time.monotonic() < stop, f"exporter on {addr} never answered: {log.read_text()[-2000:]}"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def anywhere(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("nowhere")  # no inventories/ here: the exporters must not need one
    auths = cwd / "auths.json"
    auths.write_text(json.dumps({"lab2": {"version": 2, "community": COMMUNITY},
                                 "lab3": {"version": 3, "user": V3_USER, "auth_key": V3_AUTH, "priv_key": V3_PRIV}}))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ns = AgentNamespace(NS)
    try:
        ns.create(dummies=3, ipv6=False)
        ns.add_agent("dev", 1161)
        # A live agent must answer on a busy 2-core machine (v3: discovery, then the walks): 1 s and one
        # retry per request; the dead target still fails inside the 3 s deadline.
        common = ["exporter", "snmp", "--auth-file", str(auths), "--default-auth", "lab3", "--timeout", "1",
                  "--retries", "1", "--deadline", "3"]
        procs = {}
        for name, extra in (("default", []), ("status500", ["--failed-scrape", "status-500"])):
            log = cwd / f"{name}.log"
            procs[name] = (ns.spawn([GOVOPS, *common, "--listen", PORTS[name], *extra], log, env, cwd=cwd), log)
        for name, (proc, log) in procs.items():
            wait_listening(PORTS[name], proc, log)
        yield ns, cwd, auths, env
    finally:
        ns.close()


def test_snmp_exporter_with_only_an_auth_file_scrapes_v2c_and_v3_from_a_directory_without_inventory(anywhere):
    assert not (anywhere[1] / "inventories").exists()
    for auth in ("lab2", "lab3", None):  # None: the --default-auth
        code, body = http(PORTS["default"], f"/snmp?target={AGENT}&module=if_mib" + (f"&auth={auth}" if auth else ""))
        assert code == 200 and "snmp_up 1.0" in body, (auth, body[-500:])
        assert body.count("ifHCInOctets{") >= 4  # lo and the 3 dummies at least
    code, body = http(PORTS["default"], f"/snmp?target={AGENT}&auth=nope")
    assert code == 400 and "not in the auth file" in body


def test_failed_scrape_default_is_200_with_snmp_up_0(anywhere):
    code, body = http(PORTS["default"], f"/snmp?target={DEAD}&module=if_mib")
    assert code == 200 and "snmp_up 0.0" in body


def test_failed_scrape_status_500_answers_500_with_a_reason_and_live_targets_200(anywhere):
    code, body = http(PORTS["status500"], f"/snmp?target={DEAD}&module=if_mib")
    assert code == 500
    assert body.startswith(f"scrape of {DEAD} failed: SNMP error: ") and "timeout" in body.lower(), body
    assert V3_AUTH not in body and V3_PRIV not in body
    code, body = http(PORTS["status500"], f"/snmp?target={AGENT}&module=if_mib")
    assert code == 200 and "snmp_up 1.0" in body


def test_bad_auth_file_and_ambiguous_default_are_clear_errors(anywhere):
    _, cwd, _, env = anywhere
    bad = cwd / "bad.json"
    bad.write_text(json.dumps({"x": {"version": 3, "user": "u", "auth_key": "k"}}))
    r = subprocess.run([GOVOPS, "exporter", "snmp", "--auth-file", str(bad), "--listen", "127.0.0.1:0"],
                       cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{bad}: x: version 3 needs exactly" in r.stderr and "missing ['priv_key']" in r.stderr
    two = cwd / "two.json"
    two.write_text(json.dumps({"a": {"version": 2, "community": "c"}, "b": {"version": 2, "community": "d"}}))
    r = subprocess.run([GOVOPS, "exporter", "snmp", "--auth-file", str(two), "--listen", "127.0.0.1:0"],
                       cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--default-auth" in r.stderr and "Traceback" not in r.stderr


def test_readiness_exporter_takes_the_auth_file_and_a_target_port(anywhere):
    ns, cwd, auths, env = anywhere
    from govops.sot import load_inventory
    inv = load_inventory(ROOT / "inventories" / "lab")
    device = sorted(d.name for d in inv.devices.values() if d.snmp)[0]
    log = cwd / "readiness.log"
    proc = ns.spawn([GOVOPS, "exporter", "readiness", "-i", str(ROOT / "inventories" / "lab"), "--no-websites",
                     "--auth-file", str(auths), "--auth", "lab3", "--target", f"{device}={AGENT}",
                     "--listen", PORTS["readiness"]], log, env, cwd=cwd)
    wait_listening(PORTS["readiness"], proc, log)
    code, body = http(PORTS["readiness"], "/metrics")
    assert code == 200
    probes = {line.split('device="')[1].split('"')[0]: line.rsplit(" ", 1)[1]
              for line in body.splitlines() if line.startswith("govops_ipv6_probe_up{")}
    assert probes[device] == "1.0", body[-1500:]  # the agent answered at the --target port with lab3
    assert all(v == "0.0" for d, v in probes.items() if d != device)  # the others' mgmt addresses are not here
