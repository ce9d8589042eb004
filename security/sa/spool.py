"""The disk spool: SQLite in WAL mode, fsynced on every commit (see README.md for why SQLite)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    id       TEXT NOT NULL UNIQUE,
    created  REAL NOT NULL,
    message  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS journal_offsets (
    path   TEXT PRIMARY KEY,
    inode  INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    head   TEXT NOT NULL DEFAULT ''
);
"""


class SpoolFull(Exception):
    """Accepting these events would exceed the spool's event or byte bound."""


@dataclass(frozen=True)
class Spooled:
    seq: int
    id: str
    created: float
    message: bytes


@dataclass(frozen=True)
class JournalPosition:
    inode: int
    offset: int
    head: str = ""  # sha256 of the file's first line: tells a new file apart when an inode is reused


class Spool:
    """Pending events in arrival order; an event leaves only when `ack` is called after delivery."""

    def __init__(self, directory: str, max_events: int = 1_000_000, max_bytes: int = 1 << 30):
        # Spooled events carry device names, alert texts and journal records: 0700 / 0600. SQLite
        # gives its -wal and -shm files the database file's mode, so creating that one 0600 is enough.
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
            os.chmod(directory, 0o700)  # makedirs' mode is filtered by the umask
        self.path = os.path.join(directory, "spool.sqlite")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)  # a spool created by an older version
        os.close(fd)
        for side in ("-wal", "-shm"):
            if os.path.exists(self.path + side):
                os.chmod(self.path + side, 0o600)
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        # WAL: readers never block the writer. synchronous=FULL: every commit fsyncs the WAL, so an
        # event acknowledged to a sender survives kill -9 and power loss.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._count, self._bytes = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(message)), 0) FROM events"
        ).fetchone()
        self._changed = threading.Condition(self._lock)

    # -- writing ---------------------------------------------------------------------------------

    def add(self, items: list[tuple[str, bytes]]) -> int:
        """Spool (id, message) pairs all-or-nothing; returns how many were new (ids already pending are skipped)."""
        with self._lock:
            self._check_room(items)
            with self._transaction():
                return self._insert(items)

    def add_from_journal(self, items: list[tuple[str, bytes]], path: str, position: JournalPosition) -> int:
        """Spool events and advance the journal offset in one transaction: each line is spooled once."""
        with self._lock:
            self._check_room(items)
            with self._transaction():
                added = self._insert(items)
                self._db.execute(
                    "INSERT INTO journal_offsets(path, inode, offset, head) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(path) DO UPDATE SET inode = excluded.inode, offset = excluded.offset, "
                    "head = excluded.head",
                    (path, position.inode, position.offset, position.head),
                )
                return added

    def _check_room(self, items: list[tuple[str, bytes]]) -> None:
        size = sum(len(message) for _, message in items)
        if self._count + len(items) > self.max_events or self._bytes + size > self.max_bytes:
            raise SpoolFull(f"spool holds {self._count} events / {self._bytes} bytes; {len(items)} more do not fit")

    def _insert(self, items: list[tuple[str, bytes]]) -> int:
        now = time.time()
        added = 0
        for event_id, message in items:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO events(id, created, message) VALUES (?, ?, ?)", (event_id, now, message)
            )
            if cursor.rowcount:
                added += 1
                self._count += 1
                self._bytes += len(message)
        if added:
            self._changed.notify_all()
        return added

    def _transaction(self):
        db, spool = self._db, self

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, exc, tb):
                if exc_type is None:
                    db.execute("COMMIT")
                else:
                    db.execute("ROLLBACK")
                    # counters were bumped optimistically; recount after a failed transaction
                    spool._count, spool._bytes = db.execute(
                        "SELECT COUNT(*), COALESCE(SUM(LENGTH(message)), 0) FROM events"
                    ).fetchone()
                return False

        return _Tx()

    # -- delivering ------------------------------------------------------------------------------

    def peek(self, limit: int, after: int = 0, wait: float = 0.0) -> list[Spooled]:
        """The oldest events with seq > after; waits up to `wait` seconds for some to arrive."""
        query = "SELECT seq, id, created, message FROM events WHERE seq > ? ORDER BY seq LIMIT ?"
        with self._changed:
            rows = self._db.execute(query, (after, limit)).fetchall()
            if not rows and wait > 0:
                self._changed.wait(wait)
                rows = self._db.execute(query, (after, limit)).fetchall()
        return [Spooled(*row) for row in rows]

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def ack(self, delivered: list[Spooled]) -> None:
        if not delivered:
            return
        with self._lock, self._transaction():
            self._db.executemany("DELETE FROM events WHERE seq = ?", [(item.seq,) for item in delivered])
            self._count -= len(delivered)
            self._bytes -= sum(len(item.message) for item in delivered)

    # -- state -----------------------------------------------------------------------------------

    def journal_position(self, path: str) -> JournalPosition | None:
        with self._lock:
            row = self._db.execute("SELECT inode, offset, head FROM journal_offsets WHERE path = ?", (path,)).fetchone()
        return JournalPosition(*row) if row else None

    def set_journal_position(self, path: str, position: JournalPosition) -> None:
        self.add_from_journal([], path, position)

    def room(self) -> tuple[int, int]:
        """How many more events and bytes the bounds allow."""
        return self.max_events - self._count, self.max_bytes - self._bytes

    @property
    def count(self) -> int:
        return self._count

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def oldest_age(self) -> float:
        with self._lock:
            row = self._db.execute("SELECT created FROM events ORDER BY seq LIMIT 1").fetchone()
        return max(0.0, time.time() - row[0]) if row else 0.0

    def close(self) -> None:
        with self._lock:
            self._db.close()
