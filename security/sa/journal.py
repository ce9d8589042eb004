"""Follow a JSON-lines journal: remember inode + offset in the spool, survive rotation and truncation."""

from __future__ import annotations

import hashlib
import logging
import os
import threading

from security.sa.metrics import ForwarderMetrics
from security.sa.schema import event_from_journal_line
from security.sa.spool import JournalPosition, Spool, SpoolFull
from security.sa.syslog_tls import format_message

log = logging.getLogger(__name__)

READ_CHUNK = 1 << 20
HEAD_BYTES = 256


def head_of(fd: int) -> str:
    """Identity of a file beside its inode (inodes are reused after delete): its first line, hashed."""
    head = os.pread(fd, HEAD_BYTES, 0)
    newline = head.find(b"\n")
    if newline < 0 and len(head) < HEAD_BYTES:
        return ""  # first line not complete yet: no identity to compare
    return hashlib.sha256(head[: newline + 1] if newline >= 0 else head).hexdigest()


def same_file(fd: int, stored: JournalPosition) -> bool:
    # A file whose first line was still being written when we stored the position may have grown.
    return not stored.head or head_of(fd) == stored.head


class JournalFollower(threading.Thread):
    """Reads complete lines past the remembered offset; spooling and advancing the offset are one commit."""

    def __init__(self, path: str, spool: Spool, metrics: ForwarderMetrics, hostname: str,
                 poll: float = 0.2, max_line: int = 1 << 20):
        super().__init__(name=f"sa-journal-{os.path.basename(path)}", daemon=True)
        self.path = os.path.abspath(path)
        self.spool, self.metrics, self.hostname = spool, metrics, hostname
        self.poll, self.max_line = poll, max_line
        self.stopping = threading.Event()
        self._fd: int | None = None
        self._inode = 0
        self._offset = 0

    # -- opening -----------------------------------------------------------------------------------

    def _open_initial(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        inode = os.fstat(fd).st_ino
        stored = self.spool.journal_position(self.path)
        if stored and not (stored.inode == inode and same_file(fd, stored)):
            # Rotated while we were down: finish the old file if it is still beside the new one.
            old = self._find_old_file(stored)
            if old is not None:
                os.close(fd)
                log.info("journal %s rotated while down; finishing the old file first", self.path)
                self._fd, self._inode, self._offset = old, stored.inode, stored.offset
                return True
            self.metrics.dropped.labels("journal_rotated_while_down").inc()
            log.error("journal %s was rotated while the forwarder was down and the old file (inode %d) is "
                      "gone; lines after offset %d of it could not be read", self.path, stored.inode, stored.offset)
            stored = None
        self._fd, self._inode = fd, inode
        self._offset = stored.offset if stored else 0
        if os.fstat(fd).st_size < self._offset:
            log.warning("journal %s is shorter than the remembered offset: truncated, reading from the start", self.path)
            self._offset = 0
        return True

    def _find_old_file(self, stored: JournalPosition) -> int | None:
        """An open descriptor of the rotated file (same inode and first line) in the journal's directory."""
        directory = os.path.dirname(self.path)
        for name in sorted(os.listdir(directory)):
            candidate = os.path.join(directory, name)
            if candidate == self.path:
                continue
            try:
                if os.stat(candidate).st_ino != stored.inode or not os.path.isfile(candidate):
                    continue
                fd = os.open(candidate, os.O_RDONLY)
            except OSError:
                continue
            if same_file(fd, stored):
                return fd
            os.close(fd)
        return None

    # -- following ---------------------------------------------------------------------------------

    def run(self) -> None:
        while not self.stopping.is_set():
            if self._fd is None and not self._open_initial():
                self.stopping.wait(self.poll)
                continue
            try:
                progressed = self._read_available()
                if not progressed:
                    self._check_rotation()
                    self.stopping.wait(self.poll)
            except SpoolFull:
                # Backpressure: the journal on disk is itself durable, so wait instead of dropping.
                self.metrics.journal_blocked.labels(self.path).set(1)
                self.stopping.wait(max(self.poll, 0.5))
            else:
                self.metrics.journal_blocked.labels(self.path).set(0)
        if self._fd is not None:
            os.close(self._fd)

    def _read_available(self) -> bool:
        assert self._fd is not None
        data = os.pread(self._fd, READ_CHUNK, self._offset)
        if not data:
            return False
        end = data.rfind(b"\n")
        if end < 0:
            if len(data) < min(READ_CHUNK, self.max_line):
                return False  # an incomplete last line: wait for the writer to finish it
            end = len(data) - 1  # a line longer than max_line: cut it, it becomes a pipeline_error event
        # Spool as many whole lines as fit, so a small spool drains a big journal piece by piece.
        room_events, room_bytes = self.spool.room()
        items, consumed = [], 0
        for line in data[: end + 1].splitlines(keepends=True):
            if line.strip():
                event = event_from_journal_line(line.rstrip(b"\r\n"), self.path)
                message = format_message(event, self.hostname)
                if len(items) >= room_events or len(message) > room_bytes:
                    break
                room_bytes -= len(message)
                items.append((event.id, message, event.source))
            consumed += len(line)
        if not items and consumed == 0:
            raise SpoolFull(f"no room for journal {self.path}")
        position = JournalPosition(self._inode, self._offset + consumed, head_of(self._fd))
        self.spool.add_from_journal([(i, m) for i, m, _ in items], self.path, position)
        self._offset = position.offset
        for _, _, source in items:
            self.metrics.received.labels(source).inc()
        return True

    def _check_rotation(self) -> None:
        assert self._fd is not None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return  # moved away and not yet recreated: keep the old descriptor
        if st.st_ino != self._inode:
            # Old file read to its end; a last line without newline will never be finished now.
            tail = os.pread(self._fd, self.max_line, self._offset)
            if tail.strip():
                event = event_from_journal_line(tail.rstrip(b"\n"), self.path)
                self.spool.add_from_journal([(event.id, format_message(event, self.hostname))], self.path,
                                            JournalPosition(self._inode, self._offset + len(tail), head_of(self._fd)))
                self.metrics.received.labels(event.source).inc()
            log.info("journal %s rotated; following the new file", self.path)
            os.close(self._fd)
            self._fd, self._inode, self._offset = os.open(self.path, os.O_RDONLY), st.st_ino, 0
            self.spool.set_journal_position(self.path, JournalPosition(self._inode, 0, head_of(self._fd)))
        elif os.fstat(self._fd).st_size < self._offset:
            log.warning("journal %s truncated; reading from the start", self.path)
            self._offset = 0
            self.spool.set_journal_position(self.path, JournalPosition(self._inode, 0, head_of(self._fd)))

    def stop(self) -> None:
        self.stopping.set()
