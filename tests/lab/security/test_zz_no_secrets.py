"""No vaulted secret of the lab inventory in anything govops wrote: run dirs, journals, backups,
spooled events, logs, reports. Runs last (see conftest.py) so it sees what the other suites left.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from govops.sot import load_inventory
from tests.lab.security.minilab import INVENTORY, ROOT

PREFIX = os.environ.get("GOVOPS_LAB_PREFIX", "gt")
MAX_BYTES = 64 << 20
# Generated artefacts of every room; the inventories themselves are not here (vault.yml is encrypted).
# /run/govops/<prefix>: this session's lab (state, twins' saved configs, host overlays with their
# /var/log, snmpd logs); other prefixes belong to other sessions running side by side.
NAMED_ROOTS = [Path("/run/govops") / PREFIX, ROOT / "run", ROOT / "journal", ROOT / "backups",
               ROOT / "bench" / "results"]


def lab_secrets() -> set[str]:
    inv = load_inventory(INVENTORY)  # decrypts group_vars/all/vault.yml with the lab's .vault-pass
    values: set[str] = set()
    for device in inv.devices.values():
        values.add(device.password)
        values.add(device.ospf_auth_key)  # the OSPF MD5 key (issue 18): FRR holds it, no file may
        if device.snmp:
            values |= {device.snmp.community, device.snmp.v3_auth_key, device.snmp.v3_priv_key}
    return {v for v in values if v and len(v) >= 6}


def scan_roots(basetemp: Path) -> list[Path]:
    roots = [p for p in NAMED_ROOTS if p.exists()]
    roots.append(basetemp)  # every tmp_path of this session: journals, spools, backups, reports of all suites
    roots += sorted(Path("/tmp").glob(f"govops-{PREFIX}*"))  # the mini twin's dirs (host overlays, /var/log)
    return roots


def files_under(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for dirpath, _, names in os.walk(root, followlinks=False):
            for name in names:
                path = Path(dirpath, name)
                if path.is_file() and not path.is_symlink() and name != ".vault-pass":
                    yield path


def find_secrets(roots: list[Path], secrets: set[str]) -> list[str]:
    needles = {s: {s.encode(), s.encode("utf-16-le")} for s in secrets}
    hits = []
    for path in files_under(roots):
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES)
        except OSError:
            continue
        for secret, forms in needles.items():
            if any(form in data for form in forms):
                hits.append(f"{path}: contains the vault value starting {secret[:3]!r}")
    return hits


def test_the_scan_would_find_a_leak(tmp_path: Path):
    secrets = lab_secrets()
    assert len(secrets) >= 3, "the lab inventory should vault a password, a community and SNMPv3 keys"
    leak = tmp_path / "backups" / "core-1.cfg"
    leak.parent.mkdir()
    leak.write_text(f"snmp-agent community read {sorted(secrets)[0]}\n")
    assert find_secrets([tmp_path], secrets) == [f"{leak}: contains the vault value starting {sorted(secrets)[0][:3]!r}"]
    leak.unlink()


def test_no_vault_value_in_logs_journals_backups_or_spools(tmp_path_factory: pytest.TempPathFactory):
    roots = scan_roots(tmp_path_factory.getbasetemp())
    scanned = sum(1 for _ in files_under(roots))
    hits = find_secrets(roots, lab_secrets())
    assert not hits, "secrets leaked:\n" + "\n".join(hits)
    if scanned == 0:
        pytest.skip("nothing to scan: run it after the lab suites (pytest tests/lab)")
