"""The last backup (``cic backup``, its timer or the controller's schedule), read from the
status file every run writes, so an alert can fire when the last good copy grows old."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, Metric

from cic.backup import status


class BackupCollector:
    """When the last backup succeeded and failed, and whether the last run was good."""

    def __init__(self, state_dir: str | Path) -> None:
        """Read the status in ``state_dir`` at every scrape."""
        self.state_dir = state_dir

    def collect(self) -> Iterator[Metric]:
        """The figures now (nothing before the first backup on this machine)."""
        data = status.read(self.state_dir)
        if not data:
            return
        for key, name, text in (
            ("last_success_at", "cic_backup_last_success_timestamp_seconds",
             "When the last backup finished well (Unix time)"),
            ("last_failure_at", "cic_backup_last_failure_timestamp_seconds",
             "When the last backup failed (Unix time)"),
        ):  # fmt: skip
            at = _timestamp(data.get(key))
            if at is not None:
                yield GaugeMetricFamily(name, text, value=at)
        yield GaugeMetricFamily(
            "cic_backup_last_run_ok", "1 when the last backup run succeeded, else 0",
            value=1.0 if data.get("ok") is True else 0.0,
        )  # fmt: skip


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
