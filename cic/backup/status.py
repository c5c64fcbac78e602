"""The last backup's outcome in ``<state_dir>/backup-status.json`` (0600), written by every
run (``cic backup``, a systemd timer, the controller's schedule) and shown on the status
page, so monitoring can alert when ``last_success_at`` grows old."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from cic.private import FILE_MODE, private_dir

STATUS_FILE = "backup-status.json"
log = logging.getLogger(__name__)


def status_path(state_dir: str | Path) -> Path:
    """Where the status lives."""
    return Path(state_dir) / STATUS_FILE


def read(state_dir: str | Path) -> dict[str, Any]:
    """The last outcome (empty when no backup has run here, or the file is unreadable)."""
    try:
        data = json.loads(status_path(state_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(state_dir: str | Path, data: dict[str, Any]) -> None:
    """Write the status atomically; a failure is logged, never raised (the backup itself
    stands or fails on its own)."""
    try:
        _replace(state_dir, data)
    except OSError as exc:
        log.error("backup: cannot write %s: %s", status_path(state_dir), exc)


def _replace(state_dir: str | Path, data: dict[str, Any]) -> None:
    folder = private_dir(state_dir)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".backup-status.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
        os.replace(temp, status_path(state_dir))
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def succeeded(state_dir: str | Path, at: datetime, archive: Path, size: int, problems: int) -> None:
    """Record a finished backup (the last failure stays for the record)."""
    data = read(state_dir)
    data.update(last_success_at=at.isoformat(), last_archive=str(archive), last_size=size,
                last_problems=problems, ok=True)  # fmt: skip
    _write(state_dir, data)


def failed(state_dir: str | Path, at: datetime, error: str) -> None:
    """Record a failed backup (the last success stays, so its age still shows)."""
    data = read(state_dir)
    data.update(last_failure_at=at.isoformat(), last_error=error[:500], ok=False)
    _write(state_dir, data)
