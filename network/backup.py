"""Concurrent backups: one normalised file per device, in a git-friendly layout.

``<dest>/<site>/<device>.cfg`` — normalised per vendor (no CRs, no clocks or byte counts), so a
backup only changes when the configuration does. A thread pool, one netmiko session per worker.
"""

from __future__ import annotations

import os
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
    saved: str | None = None  # the startup configuration, when asked for (drift)


def fetch_running(inv: Inventory, name: str, opts: SessionOptions, with_saved: bool = False) -> Fetched:
    dev = inv.devices[name]
    try:
        conn = open_session(dev, opts)
    except Exception as exc:  # noqa: BLE001 - reported per device, the others go on
        return Fetched(name, error=str(exc))
    try:
        drv = platforms.driver_for(dev.platform, conn)
        saved = cfgtext.normalise_text(drv.saved(), drv.vendor) if with_saved else None
        return Fetched(name, cfgtext.normalise_text(drv.running(), drv.vendor), saved=saved)
    except Exception as exc:  # noqa: BLE001
        return Fetched(name, error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.disconnect()


def fetch_all(inv: Inventory, names: list[str], opts: SessionOptions, workers: int = 20,
              progress: Callable[[Fetched], None] | None = None, with_saved: bool = False) -> dict[str, Fetched]:
    out: dict[str, Fetched] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for fetched in pool.map(lambda n: fetch_running(inv, n, opts, with_saved), names):
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


def write_pre_change_backup(path: Path, text: str, platform: str, latest: str = "") -> str:
    """The original configuration of one transaction, written once: if ``path`` exists (a resumed
    transaction), its content wins and is returned. Written like every backup (write_private:
    0600 in 0700 folders, refused with UnmaskedSecret if a secret is in clear) under a temporary
    name, then hard-linked into place, which fails on an existing name: complete or absent, never
    overwritten. ``latest`` names a symlink beside it that points to the newest transaction's file
    (``<device>.pre-ipv6.cfg``, what the runbook cites)."""
    if path.exists():
        return path.read_text()
    tmp = write_private(path.with_name(f".{path.name}.{os.getpid()}.tmp"), text, platform)
    try:
        os.link(tmp, path)
    except FileExistsError:
        text = path.read_text()
    finally:
        tmp.unlink(missing_ok=True)
    link = path.parent / latest if latest else None
    # A regular file of that name is an older engine's only backup: never replace it.
    if link is not None and (link.is_symlink() or not link.exists()):
        tmp_link = path.parent / f".{latest}.{os.getpid()}.lnk"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(path.name)
        tmp_link.replace(link)  # rename over the old link: the files it pointed to stay
    return text
