"""Saving a job's results: one transcript per call, one set of automatic topics per call.

Everything is an overwrite keyed by the call: the transcript row is updated in place, the
call's ``auto`` topics are replaced, the per-speaker files upserted. Running a job again (a
retry, a worker that died after saving but before acknowledging) leaves one of each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.calls.models import CallWrapup
from cic.db import utcnow
from cic.postcall.pipeline import PipelineResult
from cic.recordings.models import CallTopic, CallTranscript, RecordingChannel
from cic.review.search import index_transcript
from cic.speech.models import Transcript


def segments_json(transcript: Transcript) -> list[dict[str, Any]]:
    """Speaker segments with their words' timing and confidence, JSON-ready."""
    return [
        {
            "speaker": segment.speaker,
            "start": segment.start,
            "end": segment.end,
            "text": segment.text,
            "words": [
                {"text": w.text, "start": w.start, "end": w.end, "confidence": w.confidence}
                for w in segment.words
            ],
        }
        for segment in transcript.segments
    ]


def save_result(session: Session, call_id: str, job_id: int, result: PipelineResult) -> None:
    """Store (or overwrite) the call's transcript, files and automatic and wrap-up topics."""
    heard = result.heard
    row = session.scalars(select(CallTranscript).where(CallTranscript.call_id == call_id)).first()
    if row is None:
        row = CallTranscript(call_id=call_id, segments=[])
        session.add(row)
    row.job_id = job_id
    row.engine = heard.transcript.engine
    row.model = heard.model
    row.language = heard.transcript.language
    row.split_by_speaker = heard.split_by_speaker
    row.duration_seconds = heard.duration
    row.segments = segments_json(result.redacted)
    row.text = result.redacted.text
    row.findings = dict(result.findings)
    row.unredacted = result.unredacted
    row.updated_at = utcnow()
    index_transcript(session, call_id, row.text, row.segments)
    for channel in heard.channels:
        _save_channel(session, call_id, channel.speaker, channel.path, channel.info)
    session.execute(
        delete(CallTopic).where(CallTopic.call_id == call_id, CallTopic.source == "auto")
    )
    for score in result.topics:
        session.add(
            CallTopic(
                call_id=call_id,
                topic_id=score.topic_id,
                confidence=round(score.confidence, 4),
                source="auto",
                matched=list(score.matched),
            )
        )
    copy_wrapup_topics(session, call_id)


def _save_channel(session: Session, call_id: str, speaker: str, path: str, info: Any) -> None:
    row = session.scalars(
        select(RecordingChannel).where(
            RecordingChannel.call_id == call_id, RecordingChannel.speaker == speaker
        )
    ).first()
    if row is None:
        row = RecordingChannel(call_id=call_id, speaker=speaker)
        session.add(row)
    row.path = path
    row.bytes = info.bytes
    row.duration_seconds = info.duration_seconds
    row.sha256 = info.sha256


def copy_wrapup_topics(session: Session, call_id: str) -> None:
    """The topics agents chose in their wrap-ups, kept beside the automatic ones."""
    chosen = {
        topic.strip()
        for topic in session.scalars(select(CallWrapup.topic).where(CallWrapup.call_id == call_id))
        if topic and topic.strip()
    }
    session.execute(
        delete(CallTopic).where(CallTopic.call_id == call_id, CallTopic.source == "wrapup")
    )
    for topic in sorted(chosen):
        session.add(CallTopic(call_id=call_id, topic_id=topic[:200], source="wrapup", matched=[]))
