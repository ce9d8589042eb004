"""A 20-line Comware push: netmiko's stock hp_comware driver vs govops' prompt-driven session
(network.session.PromptReads), the same twin, the same lines, one after the other in one run.

Both go through the same engine driver (network.platforms.Comware): archive, `configuration commit
delay`, the 20 lines, then `configuration replace file <archive>` back to the original, checked
byte-identical. Run as root (brings up the small lab as --prefix P and takes it down again):

    .venv/bin/python bench/net/comware_push.py --prefix tsb [--device core-2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

LINES = ["acl ipv6 advanced 3990", *(f" rule {n * 5} permit ipv6 source 2001:db8:20:{n:x}::/64" for n in range(1, 19)),
         "quit"]


def push_once(dev, opts, stock: bool) -> dict:
    from netmiko import ConnectHandler

    from network import platforms, session

    conn = ConnectHandler(**session.connect_params(dev, opts)) if stock else session.open_session(dev, opts)
    try:
        drv = platforms.driver_for(dev.platform, conn)
        drv.prepare()
        before = drv.running()
        t0 = time.perf_counter()
        drv.push(LINES)
        took = time.perf_counter() - t0
        drv.rollback([])
        return {"session": "netmiko hp_comware" if stock else "govops PromptReads", "lines": len(LINES),
                "push_seconds": round(took, 2), "rolled_back_byte_identical": drv.running() == before}
    finally:
        conn.disconnect()


def _enter(namespace: str) -> None:
    from pyroute2 import netns

    netns.setns(namespace)


def main() -> int:
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", default="tsb")
    parser.add_argument("--device", default="core-2", help="a hp_comware device of inventories/lab")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    from govops.sot import load_inventory
    from lab import lifecycle
    from lab.state import Lab
    from network.session import SessionOptions

    sys.path.insert(0, str(Path(__file__).parent))
    from backup_drift import lab_cli

    try:
        lab_cli(args.prefix, "up", "-i", str(ROOT / "inventories" / "lab"))
        lab = Lab.load(args.prefix)
        dev = load_inventory(lab.inventory).devices[args.device]
        opts = SessionOptions(known_hosts=lab.known_hosts)
        with ThreadPoolExecutor(max_workers=1, initializer=_enter, initargs=(lab.mgmt_netns,)) as mgmt:
            for r in range(args.rounds):
                for stock in ((True, False) if r % 2 == 0 else (False, True)):
                    print(json.dumps({"round": r + 1, **mgmt.submit(push_once, dev, opts, stock).result()}), flush=True)
    finally:
        lifecycle.down(args.prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
