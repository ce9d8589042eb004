"""Concurrent backups: one normalised file per device, in a git-friendly layout.

``<dest>/<site>/<device>.cfg`` — normalised per vendor (no CRs, no clocks or byte counts), so a
backup only changes when the configuration does. A thread pool, one netmiko session per worker.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from govops.sot import Inventory
from network import config as cfgtext
from network import platforms
from network.masking import UnmaskedSecret, write_private
from network.session import SessionOptions, open_session


@dataclass
class Fetched:
    device: str
    text: str = ""
    error: str = ""


def fetch_running(inv: Inventory, name: str, opts: SessionOptions) -> Fetched:
    dev = inv.devices[name]
    try:
        conn = open_session(dev, opts)
    except Exception as exc:  # noqa: BLE001 - reported per device, the others go on
        return Fetched(name, error=str(exc))
    try:
        drv = platforms.driver_for(dev.platform, conn)
        return Fetched(name, cfgtext.normalise_text(drv.running(), dev.platform))
    except Exception as exc:  # noqa: BLE001
        return Fetched(name, error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.disconnect()


def fetch_all(inv: Inventory, names: list[str], opts: SessionOptions, workers: int = 20,
              progress: Callable[[Fetched], None] | None = None) -> dict[str, Fetched]:
    out: dict[str, Fetched] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for fetched in pool.map(lambda n: fetch_running(inv, n, opts), names):
            out[fetched.device] = fetched
            if progress:
                progress(fetched)
    return out


def backup_path(dest: Path, inv: Inventory, name: str) -> Path:
    return dest / inv.devices[name].site / f"{name}.cfg"


def write_backups(inv: Inventory, fetched: dict[str, Fetched], dest: Path) -> list[Path]:
    written = []
    for name, f in sorted(fetched.items()):
        if f.error:
            continue
        path = backup_path(dest, inv, name)
        try:  # 0600 in 0700 folders, rewritten only on change, refused if a secret is in clear
            write_private(path, f.text, inv.devices[name].platform)
        except UnmaskedSecret as err:  # reported with the fetch errors; the old backup stays
            f.error = str(err)
            continue
        written.append(path)
    return written
