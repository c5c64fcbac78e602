"""Retention: audio and transcripts of calls older than ``retention_days`` are deleted daily.

A call under legal hold is kept whatever its age. The call record itself (times, queue, agent,
outcome) stays for statistics; its recording rows, per-speaker files, transcript and
automatic topics go, and the files are removed from disk (only inside the recordings root).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cic.calls.models import Call, Recording
from cic.recordings.access import inside
from cic.recordings.errors import UnsafePath
from cic.recordings.models import (
    CallTranscript,
    LegalHold,
    PostCallJob,
    RecordingChannel,
    TranscriptTerms,
)
from cic.recordings.pipeline import SPEAKER_SUFFIX

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run deleted."""

    calls: int
    files: int
    transcripts: int


def due_calls(session: Session, cutoff: datetime) -> list[str]:
    """Calls that ended (or began, if never ended) before ``cutoff`` and are not held."""
    began = func.coalesce(Call.ended_at, Call.entered_at)
    held = select(LegalHold.call_id)
    with_data = select(Recording.call_id).union(select(CallTranscript.call_id))
    stmt = (
        select(Call.call_id)
        .where(began < cutoff, Call.call_id.not_in(held), Call.call_id.in_(with_data))
        .order_by(Call.call_id)
    )
    return list(session.scalars(stmt))


def purge_call(session: Session, call_id: str) -> tuple[list[str], int]:
    """Delete a call's recordings, transcript and jobs; returns the file paths and transcripts."""
    paths = list(session.scalars(select(Recording.path).where(Recording.call_id == call_id)))
    paths += session.scalars(
        select(RecordingChannel.path).where(RecordingChannel.call_id == call_id)
    )
    transcripts = session.execute(
        delete(CallTranscript).where(CallTranscript.call_id == call_id)
    ).rowcount  # type: ignore[attr-defined]
    for table in (Recording, RecordingChannel, PostCallJob, TranscriptTerms):
        session.execute(delete(table).where(table.call_id == call_id))
    return paths, int(transcripts or 0)


def remove_file(root: Path, path: str) -> bool:
    """Delete one recording file if it lies inside ``root``; False if absent or outside."""
    try:
        real = inside(root, path)
    except UnsafePath:
        if Path(path).exists():
            log.warning("retention: %s is outside %s, not deleted", path, root)
        return False
    real.unlink(missing_ok=True)
    return True


def siblings(mixed: Path) -> list[str]:
    """The per-speaker files MixMonitor writes next to a mixed recording."""
    return [str(mixed.with_name(mixed.stem + s + mixed.suffix)) for s in SPEAKER_SUFFIX.values()]


def run_retention(session: Session, root: Path, days: int, now: datetime) -> RetentionReport:
    """Delete what is past ``days`` (one transaction; files after the rows are gone)."""
    cutoff = now - timedelta(days=days)
    files = transcripts = 0
    calls = due_calls(session, cutoff)
    for call_id in calls:
        paths, count = purge_call(session, call_id)
        transcripts += count
        for path in dict.fromkeys([*paths, *(s for p in paths for s in siblings(Path(p)))]):
            files += remove_file(root, path)
    return RetentionReport(len(calls), files, transcripts)
