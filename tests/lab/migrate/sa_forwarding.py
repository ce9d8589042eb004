"""The SA forwarder watching a DR drill's journal: what the RPO-breach tests of the drill
(tests/lab/migrate/test_dr_drill.py, playbook) and of the database DR (test_db_dr.py, library)
share."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def events(jpath: Path) -> list[dict]:
    return [json.loads(line) for line in jpath.read_text().splitlines()]


@contextmanager
def sa_forwarder(jpath: Path, workdir: Path) -> Iterator[object]:
    """A running SA forwarder (journal follower) of `jpath`, spooling under `workdir`; yields its spool."""
    from security.sa.journal import JournalFollower
    from security.sa.metrics import ForwarderMetrics
    from security.sa.spool import Spool

    spool = Spool(str(workdir / "spool"))
    follower = JournalFollower(str(jpath), spool, ForwarderMetrics(spool), "sa-test", poll=0.1)
    follower.start()
    try:
        yield spool
    finally:
        follower.stop()
        follower.join(5)
        spool.close()


def assert_rpo_breach_forwarded(jpath: Path, spool: object, timeout: float = 10.0) -> None:
    """The drill journalled its RPO measure as a breach (severity 4) and the forwarder spooled it."""
    breach = next(e for e in events(jpath) if e["step"] == "measure_rpo")
    assert breach["outcome"] == "failure" and breach["severity"] == 4 and "RPO breach" in breach["summary"]
    deadline = time.monotonic() + timeout
    while not any(b"RPO breach" in s.message for s in spool.peek(100)):
        assert time.monotonic() < deadline, "the breach never reached the SA forwarder's spool"
        time.sleep(0.2)
