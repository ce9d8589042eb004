"""Real vendor interface names (issue 13 problem 7, issue 16): longer than the kernel's 15 bytes or
with a sub-interface dot, they are valid in the source of truth and the lab builds and routes them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from govops.sot import load_inventory
from lab.state import Lab
from tests.lab.labctl import INVENTORY, NOT_ROOT, PREFIX, lab_cli

pytestmark = pytest.mark.lab
REAL_PREFIX = PREFIX + "rn"
# link index -> (side, real name): a VRPv8 sub-interface, a Comware aggregate, a ZXROS 25GE port.
REAL_NAMES = {0: {"a": "core-1:GigabitEthernet0/1/0.1003", "b": "core-2:Route-Aggregation1"},
              5: {"b": "fy-fyz-acc-1:xxvgei-1/1/0/24.1001"}}


@pytest.fixture
def real_names_lab(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    inv = tmp_path / "lab"
    shutil.copytree(INVENTORY, inv)
    topology = inv / "group_vars" / "all" / "topology.yml"
    data = yaml.safe_load(topology.read_text())
    for i, ends in REAL_NAMES.items():
        data["links"][i].update(ends)
    topology.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    lab_cli("down", prefix=REAL_PREFIX)
    try:
        lab_cli("up", "-i", str(inv), "--no-twins", prefix=REAL_PREFIX)
        yield load_inventory(inv), Lab.load(REAL_PREFIX)
    finally:
        lab_cli("down", prefix=REAL_PREFIX)


def test_real_interface_names_come_up_and_carry_traffic(real_names_lab) -> None:
    inv, lab = real_names_lab
    for i in REAL_NAMES:
        link = inv.links[i]
        (a4, b4) = link.addresses()
        for end, addr in ((link.a, a4), (link.b, b4)):
            kernel = lab.kernel_name(end.device, end.interface)
            assert len(kernel.encode()) <= 15
            shown = lab.run(end.device, ["ip", "-br", "addr", "show", "dev", kernel]).stdout
            assert str(addr) in shown, (end, kernel, shown)
        ping = lab.run(link.a.device, ["ping", "-c", "1", "-W", "2", str(b4.ip)], check=False)
        assert ping.returncode == 0, f"{link.a} -> {link.b}: {ping.stdout}{ping.stderr}"
