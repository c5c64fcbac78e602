"""Which archives retention keeps: the newest per day, ISO week and month, or the newest N;
nothing that cic did not name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cic.backup.retention import archive_name, made_at, prune, to_delete

START = datetime(2026, 1, 1, 2, 30, tzinfo=UTC)  # a Thursday


def nightly(days: int) -> list[str]:
    """One archive a night for ``days`` nights from START, plus a second one on the last day."""
    names = [archive_name(START + timedelta(days=d)) for d in range(days)]
    return [*names, archive_name(START + timedelta(days=days - 1, hours=12))]


def test_names_round_trip_and_foreign_files_are_not_archives() -> None:
    assert archive_name(START) == "cic-backup-20260101-023000.tar"
    assert made_at("cic-backup-20260101-023000.tar") == START
    for other in ("cic-backup-20261301-023000.tar", "notatki.tar", "cic-backup-1.tar",
                  ".cic-backup-20260101-023000.tar.1a2b.tmp"):  # fmt: skip
        assert made_at(other) is None


def test_daily_weekly_monthly_keep_the_newest_of_each_period() -> None:
    names = nightly(90)  # 1 January to 31 March, and a second one on 31 March
    kept = set(names) - set(to_delete(names, daily=3, weekly=3, monthly=3))

    expected = {
        "cic-backup-20260331-143000.tar",  # today's newest (the morning's is not kept)
        "cic-backup-20260330-023000.tar",
        "cic-backup-20260329-023000.tar",  # Sunday: also week 13's newest (week 14: today)
        "cic-backup-20260322-023000.tar",  # week 12's newest (its Sunday)
        "cic-backup-20260228-023000.tar",  # February's newest
        "cic-backup-20260131-023000.tar",  # January's newest
    }
    assert kept == expected


def test_keep_n_keeps_the_newest_n_and_deletes_oldest_first() -> None:
    names = nightly(5)
    gone = to_delete(names, daily=30, weekly=0, monthly=0, keep=2)
    assert gone == sorted(names)[:4]


def test_prune_touches_only_cics_archives(tmp_path: Path) -> None:
    for name in [*nightly(10), "notatki.tar", "cic-backup-ręczna.tar"]:
        (tmp_path / name).write_bytes(b"x")

    gone = prune(tmp_path, daily=2, weekly=0, monthly=0)

    assert len(gone) == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cic-backup-20260109-023000.tar",
        "cic-backup-20260110-143000.tar",
        "cic-backup-ręczna.tar",
        "notatki.tar",
    ]
