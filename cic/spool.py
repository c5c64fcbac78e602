"""A durable spool of records on local disk (JSON lines, 0600): what must survive a restart
while the database is away.

``append`` writes and fsyncs whole lines; ``load`` reads them back in order, skipping a torn
last line (a crash mid-write) and any line that is not a JSON object, each logged; ``clear``
empties the file once everything in it is safely in the database.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class FileSpool:
    """Records kept in the file at ``path`` (its folder is made 0700 when missing)."""

    def __init__(self, path: Path) -> None:
        """Spool into ``path``."""
        self.path = path

    def append(self, records: list[dict[str, Any]]) -> None:
        """Add ``records`` at the end, durably (fsync) before returning."""
        if not records:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lines = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                        for r in records)  # fmt: skip
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                lines = "\n" + lines  # a crash left a torn line: start on a fresh one
            os.write(fd, lines.encode("utf-8", "surrogatepass"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def load(self) -> list[dict[str, Any]]:
        """Every whole record, oldest first (``[]`` when there is no file)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(raw.split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8", "surrogatepass"))
            except (ValueError, UnicodeDecodeError):
                log.error("spool %s: line %d is not a whole record; skipped", self.path, number)
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                log.error("spool %s: line %d is not an object; skipped", self.path, number)
        return records

    def clear(self) -> None:
        """Empty the spool (everything in it has been written)."""
        try:
            with self.path.open("r+b") as f:
                f.truncate(0)
                os.fsync(f.fileno())
        except FileNotFoundError:
            pass
