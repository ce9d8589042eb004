"""The lab suite's declared order (tests/lab/order.py): every room listed, no loose test file, and
a whole run really takes that order (the rooms after the network room find the lab upgraded)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.lab import order
from tests.paths import ROOT

LAB_TESTS = ROOT / "tests" / "lab"


def test_every_room_is_listed_and_no_test_file_sits_loose():
    rooms = {p.relative_to(LAB_TESTS).parts[0] for p in LAB_TESTS.rglob("test_*.py") if p.parent != LAB_TESTS}
    unlisted = sorted(rooms - set(order.ROOMS))
    assert not unlisted, f"tests/lab/{unlisted}: add the room to ROOMS in tests/lab/order.py, with why it sits there"
    loose = sorted(p.name for p in LAB_TESTS.glob("test_*.py"))
    assert not loose, f"tests/lab/{loose}: a lab test belongs in the folder of the room it tests (tests/README.md)"
    named = [(room, name) for table in (order.FIRST, order.LAST) for room, names in table.items() for name in names]
    missing = [f"{room}/{name}" for room, name in named if not (LAB_TESTS / room / name).is_file()]
    assert not missing, f"tests/lab/order.py FIRST/LAST name files that do not exist: {missing}"


def test_order_sorts_rooms_keeps_files_and_other_suites_in_place():
    collected = [  # as pytest collects: alphabetically, a file's tests in a row
        "tests/integration/test_x.py", "tests/lab/ci/test_pipeline_jobs.py", "tests/lab/lab/test_a.py",
        "tests/lab/lab/test_b.py", "tests/lab/lab/test_b.py", "tests/lab/network/test_a_new.py",
        "tests/lab/network/test_ipv6_upgrade.py", "tests/lab/network/test_private_network.py",
        "tests/lab/network/test_session.py", "tests/lab/newroom/test_n.py", "tests/lab/routing/test_ospf.py",
        "tests/lab/test_loose.py", "tests/lab/twins/test_t.py", "tests/monitoring/test_m.py",
    ]
    items = [(ROOT / p, n) for n, p in enumerate(collected)]
    got = [p.relative_to(ROOT).as_posix() for p, _ in order.order(items, path_of=lambda item: item[0])]
    assert got == [
        "tests/integration/test_x.py",
        "tests/lab/network/test_ipv6_upgrade.py",  # the upgrade opens its room
        "tests/lab/network/test_a_new.py", "tests/lab/network/test_session.py",  # then by name
        "tests/lab/network/test_private_network.py",  # closes it
        "tests/lab/routing/test_ospf.py",
        "tests/lab/lab/test_a.py", "tests/lab/lab/test_b.py", "tests/lab/lab/test_b.py",
        "tests/lab/ci/test_pipeline_jobs.py",
        "tests/lab/newroom/test_n.py", "tests/lab/test_loose.py",  # unlisted: after the shared lab's rooms
        "tests/lab/twins/test_t.py",
        "tests/monitoring/test_m.py",
    ]
    # stable: the two tests of test_b.py keep their order
    b = [n for p, n in order.order(items, path_of=lambda item: item[0]) if p.name == "test_b.py"]
    assert b == sorted(b)


def test_a_whole_lab_run_upgrades_before_the_rooms_that_need_it():
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "tests/lab"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = list(dict.fromkeys(line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line))
    rooms = [Path(f).relative_to("tests/lab").parts[0] for f in files]
    upgrade = files.index("tests/lab/network/test_ipv6_upgrade.py")
    before = set(rooms[:upgrade])
    assert before <= {"ansible", "migrate", "monitoring"}, f"run before the upgrade: {before}"
    for room in ("routing", "lab", "ci"):
        assert rooms.index(room) > upgrade, f"tests/lab/{room} runs before the upgrade:\n" + "\n".join(files)
    assert files.index("tests/lab/lab/test_twin_formats.py") > upgrade
    assert files[-1] == "tests/lab/security/test_zz_no_secrets.py"  # the secrets scan keeps the last word
    assert [r for r in rooms if r == "network"] == rooms[upgrade:upgrade + rooms.count("network")]  # one block
