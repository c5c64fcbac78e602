"""Retention: audio and transcripts of calls older than ``retention_days`` are deleted daily.

A call under legal hold is kept whatever its age. The call record itself (times, queue, agent,
outcome) stays for statistics; its recording rows, per-speaker files, transcript and
automatic topics go, and the files are removed from disk (only inside the recordings root).
What other domains keep about the call's recording (the post-call jobs) goes in the same
transaction, through the :data:`CallPurge` functions the caller hands in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cic.calls.models import Call, Recording
from cic.recordings.access import inside
from cic.recordings.errors import UnsafePath
from cic.recordings.files import siblings
from cic.recordings.models import CallTranscript, LegalHold, RecordingChannel, TranscriptTerms

log = logging.getLogger(__name__)
CallPurge = Callable[[Session, str], object]
"""Deletes what another domain keeps about a call's recording (``session``, ``call_id``), in
the caller's transaction: the post-call jobs (``cic.postcall.jobs.forget``)."""


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


def purge_call(
    session: Session, call_id: str, also: Sequence[CallPurge] = ()
) -> tuple[list[str], int]:
    """Delete a call's recordings, transcript and search row, and through ``also`` its jobs;
    returns the file paths and how many transcripts went."""
    paths = list(session.scalars(select(Recording.path).where(Recording.call_id == call_id)))
    paths += session.scalars(
        select(RecordingChannel.path).where(RecordingChannel.call_id == call_id)
    )
    transcripts = session.execute(
        delete(CallTranscript).where(CallTranscript.call_id == call_id)
    ).rowcount  # type: ignore[attr-defined]
    for table in (Recording, RecordingChannel, TranscriptTerms):
        session.execute(delete(table).where(table.call_id == call_id))
    for purge in also:
        purge(session, call_id)
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


def run_retention(
    session: Session, root: Path, days: int, now: datetime, also: Sequence[CallPurge] = ()
) -> RetentionReport:
    """Delete what is past ``days`` (one transaction; files after the rows are gone); ``also``
    as for :func:`purge_call`."""
    cutoff = now - timedelta(days=days)
    files = transcripts = 0
    calls = due_calls(session, cutoff)
    for call_id in calls:
        paths, count = purge_call(session, call_id, also)
        transcripts += count
        for path in dict.fromkeys([*paths, *(s for p in paths for s in siblings(Path(p)))]):
            files += remove_file(root, path)
    return RetentionReport(len(calls), files, transcripts)
