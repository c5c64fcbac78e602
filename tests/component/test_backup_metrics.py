"""The last backup's figures on /metrics, read from the status file a real backup run writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from cic.backup import status
from cic.observability.backup import BackupCollector


def _figures(state_dir: Path) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(BackupCollector(state_dir))
    text = generate_latest(registry).decode()
    return {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}


def test_no_backup_yet_gives_no_figures(tmp_path: Path) -> None:
    assert _figures(tmp_path) == {}


def test_a_success_then_a_failure_keep_both_times_and_say_the_last_run_failed(
    tmp_path: Path,
) -> None:
    good = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    status.succeeded(tmp_path, good, tmp_path / "cic-backup-20261206-013000.tar", 1024, 0)
    assert _figures(tmp_path) == {
        "cic_backup_last_success_timestamp_seconds": good.timestamp(),
        "cic_backup_last_run_ok": 1.0,
    }
    bad = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    status.failed(tmp_path, bad, "Brak miejsca na dysku")
    assert _figures(tmp_path) == {
        "cic_backup_last_success_timestamp_seconds": good.timestamp(),
        "cic_backup_last_failure_timestamp_seconds": bad.timestamp(),
        "cic_backup_last_run_ok": 0.0,
    }


def test_an_unreadable_time_is_left_out_not_a_failed_scrape(tmp_path: Path) -> None:
    status.status_path(tmp_path).write_text('{"last_success_at": "wczoraj", "ok": true}')
    assert _figures(tmp_path) == {"cic_backup_last_run_ok": 1.0}
