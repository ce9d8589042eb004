"""The drill's database client: commits numbered transactions and logs each one acknowledged.

    python -m govops.migrate.pgwriter write  --conninfo '...' --acks FILE   # until killed
    python -m govops.migrate.pgwriter probe  --conninfo '...' --id N        # one write, retried

`write` appends "<id> <unix time>" to FILE after COMMIT returns, flushed: the file is exactly the
set of transactions the application was told are durable. A failed or uncertain commit is never
logged and its id is not reused (the next attempt takes the next id), so "acknowledged but
missing on the promoted standby" is an exact count. `probe` retries one INSERT until it commits
and prints the unix time it did: the drill's RTO end point.
"""

from __future__ import annotations

import argparse
import sys
import time

import psycopg


def write(conninfo: str, acks: str, start: int = 1, pause: float = 0.02) -> None:
    n = start
    with open(acks, "a", buffering=1) as out:
        while True:
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=2) as conn:
                    while True:
                        conn.execute("INSERT INTO txlog (id, payload) VALUES (%s, %s)", (n, f"tx {n}"))
                        out.write(f"{n} {time.time():.6f}\n")
                        n += 1
                        time.sleep(pause)
            except psycopg.Error as exc:
                print(f"tx {n}: {type(exc).__name__}: {str(exc).strip()[:200]}", file=sys.stderr, flush=True)
                n += 1  # outcome unknown: never reuse the id, never log it as acknowledged
                time.sleep(0.1)


def probe(conninfo: str, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # a long connect timeout: the path may be slow (a delayed link), the answer still counts
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=20) as conn:
                conn.execute("INSERT INTO txlog (id, payload) VALUES (%s, 'rto probe')", (n,))
                print(f"{time.time():.6f}", flush=True)
                return 0
        except psycopg.Error as exc:
            print(f"probe: {type(exc).__name__}: {str(exc).strip()[:200]}", file=sys.stderr, flush=True)
            time.sleep(0.1)
    return 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m govops.migrate.pgwriter")
    ap.add_argument("mode", choices=("write", "probe"))
    ap.add_argument("--conninfo", required=True)
    ap.add_argument("--acks")
    ap.add_argument("--id", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args(argv)
    if a.mode == "write":
        write(a.conninfo, a.acks, a.id)
        return 0
    return probe(a.conninfo, a.id, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
