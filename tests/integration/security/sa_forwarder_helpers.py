"""Helpers for the SA forwarder tests and benchmark: a throwaway PKI, the strict receiver, the forwarder process."""

from __future__ import annotations

import datetime
import importlib.util
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[3]

# Loaded by path: a bare `import receiver` could collide with another test folder's module.
_spec = importlib.util.spec_from_file_location("sa_strict_receiver", Path(__file__).with_name("receiver.py"))
receiver_module = importlib.util.module_from_spec(_spec)
sys.modules["sa_strict_receiver"] = receiver_module
_spec.loader.exec_module(receiver_module)
StrictSyslogReceiver = receiver_module.StrictSyslogReceiver

SERVER_NAME = "sa.test"


# -- PKI ---------------------------------------------------------------------------------------------

def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def make_ca(directory: Path, cn: str) -> tuple:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    (directory / f"{cn}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def make_server_cert(directory: Path, ca: tuple, dns_name: str, stem: str) -> tuple[str, str]:
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(dns_name)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return str(cert_path), str(key_path)


@dataclass(frozen=True)
class Pki:
    ca: str
    server: tuple[str, str]  # signed by our CA for SERVER_NAME
    rogue: tuple[str, str]  # SERVER_NAME, but signed by another CA
    wrong_name: tuple[str, str]  # our CA, but for another name


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# -- the forwarder as a process --------------------------------------------------------------------

class ForwarderProcess:
    """`python -m security.sa forward` in a subprocess, with its HTTP and metrics ports."""

    def __init__(self, spool: Path, target_port: int, pki: Pki, extra: list[str] | None = None,
                 log: Path | None = None, host: str = "127.0.0.1"):
        self.spool, self.target_port, self.pki, self.extra = spool, target_port, pki, extra or []
        self.host = host
        self.log = log or spool.parent / "forwarder.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ForwarderProcess:
        self.http_port, self.metrics_port = free_port(self.host), free_port(self.host)
        command = [
            sys.executable, "-m", "security.sa", "forward",
            "--listen", address(self.host, self.http_port), "--metrics", address(self.host, self.metrics_port),
            "--spool", str(self.spool), "--target", address(self.host, self.target_port),
            "--ca", self.pki.ca, "--server-name", SERVER_NAME, "--max-backoff", "0.5", *self.extra,
        ]
        logfile = open(self.log, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.proc = subprocess.Popen(command, cwd=REPO, stdout=logfile, stderr=subprocess.STDOUT)
        logfile.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"forwarder exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                self.get("/healthz")
                self.metrics()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("forwarder did not come up")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://{address(self.host, self.http_port)}{path}", timeout=5) as response:
            return json.load(response)

    def post(self, body: bytes | dict, path: str = "/alertmanager") -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(f"http://{address(self.host, self.http_port)}{path}", data=data,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def metrics(self) -> dict[str, float]:
        """Samples by name and labels, e.g. 'govops_sa_rejected_total{reason="malformed"}'."""
        with urllib.request.urlopen(f"http://{address(self.host, self.metrics_port)}/metrics", timeout=5) as response:
            text = response.read().decode()
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return samples

    def kill9(self) -> None:
        assert self.proc
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def webhook(alerts: list[dict], status: str = "firing") -> dict:
    return {
        "version": "4", "groupKey": "{}:{alertname=\"IfDown\"}", "truncatedAlerts": 0, "status": status,
        "receiver": "sa-bridge", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.lab:9093", "alerts": alerts,
    }


def alert(n: int, **labels) -> dict:
    return {
        "status": "firing",
        "labels": {"alertname": "InterfaceDown", "severity": "critical", "device": f"fy-agg-{n % 7}",
                   "site": "fenyi", "department": "big-data-centre", **labels},
        "annotations": {"summary": f"interface {n} down", "runbook_url": "runbooks/interface-down.md"},
        "startsAt": "2026-11-29T01:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.lab:9090/graph", "fingerprint": f"{n:016x}",
    }


def make_pki(directory: Path) -> Pki:
    ca = make_ca(directory, "govops-test-ca")
    rogue_ca = make_ca(directory, "rogue-ca")
    return Pki(
        ca=str(directory / "govops-test-ca.pem"),
        server=make_server_cert(directory, ca, SERVER_NAME, "server"),
        rogue=make_server_cert(directory, rogue_ca, SERVER_NAME, "rogue"),
        wrong_name=make_server_cert(directory, ca, "other.test", "wrong-name"),
    )
