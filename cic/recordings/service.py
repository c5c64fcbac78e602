"""The recordings domain's rules: transcripts, topics, corrections, holds, retention, playback.

Collaborators come in through the constructor; database work runs in ``Store.run``. Every
playback, every transcript read, every refusal of either (role, malformed id, no file, a file
outside the root) and every legal-hold change is written to the audit log (who, which call,
when).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.actor import Actor
from cic.auth.errors import Forbidden
from cic.calls.models import Call, Recording
from cic.db import Store, utcnow
from cic.errors import CicError
from cic.recordings.access import check_call_id, inside
from cic.recordings.errors import CallNotKnown, InvalidInput, RecordingNotFound, UnsafePath
from cic.recordings.models import (
    CallTopic,
    CallTranscript,
    LegalHold,
    RecordingChannel,
    TopicCorrection,
)
from cic.recordings.retention import CallPurge, RetentionReport, run_retention
from cic.recordings.schemas import MAX_TOPICS, TopicTag, TranscriptOut

SPEAKERS = ("resident", "agent")
#: Who asks for a recording or transcript (username, role and address for the audit log).
Viewer = Actor


class RecordingsService:
    """What the post-call jobs produced, access to recordings, retention and holds."""

    def __init__(
        self,
        store: Store,
        root: Path,
        *,
        retention_days: int = 180,
        unredacted_role: str = "",
        playback_roles: Sequence[str] = ("supervisor",),
        also_purge: Sequence[CallPurge] = (),
    ) -> None:
        """``root`` is the recordings directory as the controller's host sees it;
        ``playback_roles`` may play recordings and read transcripts (admin always);
        ``also_purge`` deletes, with each call retention deletes, what other domains keep
        about it (its post-call jobs)."""
        self.store = store
        self.root = root
        self.retention_days = retention_days
        self.unredacted_role = unredacted_role
        self.playback_roles = tuple(playback_roles)
        self.also_purge = tuple(also_purge)

    # --- transcripts and topics ---------------------------------------------------------

    async def transcript(self, call_id: str, viewer: Viewer) -> TranscriptOut:
        """The redacted transcript with the call's topics; the unredacted text only for the
        configured role (and only if it was kept). Every read and refusal is audited."""
        await self._check_access(call_id, viewer, "transcript_refused")
        show_raw = bool(self.unredacted_role) and viewer.role == self.unredacted_role

        def query(session: Session) -> TranscriptOut:
            row = session.scalars(
                select(CallTranscript).where(CallTranscript.call_id == call_id)
            ).first()
            if row is None:
                raise RecordingNotFound("Ta rozmowa nie ma (jeszcze) transkrypcji.")
            out: TranscriptOut = {
                **row.as_dict(with_unredacted=show_raw),
                "topics": _topics(session, call_id),
            }
            audit.record(
                session, "transcript_unredacted" if show_raw else "transcript_read",
                actor=viewer.username, target=call_id, ip=viewer.ip,
            )  # fmt: skip
            return out

        try:
            return await self.store.run(query)
        except RecordingNotFound as exc:
            await self._refused("transcript_refused", call_id, viewer, exc)
            raise

    async def topics(self, call_id: str) -> list[TopicTag]:
        """Every topic tag of the call (auto, wrapup, supervisor)."""
        check_call_id(call_id)
        return await self.store.run(lambda s: _topics(s, call_id))

    async def correct_topics(
        self, call_id: str, topics: Sequence[str], viewer: Viewer
    ) -> list[TopicTag]:
        """A supervisor sets the call's topics: kept as a correction and as supervisor tags."""
        check_call_id(call_id)
        chosen = sorted({t.strip()[:200] for t in topics if isinstance(t, str) and t.strip()})
        if len(chosen) > MAX_TOPICS:
            raise InvalidInput(f"Najwyżej {MAX_TOPICS} tematów.")

        def work(session: Session) -> list[TopicTag]:
            _require_call(session, call_id)
            before = sorted({t["topic_id"] for t in _effective(session, call_id)})
            session.add(
                TopicCorrection(
                    call_id=call_id, before=before, after=chosen, corrected_by=viewer.username
                )
            )
            session.execute(
                delete(CallTopic).where(
                    CallTopic.call_id == call_id, CallTopic.source == "supervisor"
                )
            )
            for topic in chosen:
                session.add(
                    CallTopic(
                        call_id=call_id, topic_id=topic, source="supervisor",
                        matched=[], created_by=viewer.username,
                    )
                )  # fmt: skip
            session.flush()
            return _topics(session, call_id)

        return await self.store.run(work)

    async def corrections(self) -> list[tuple[str, frozenset[str]]]:
        """(redacted transcript, topics) for each call's latest correction: learning data."""
        return await self.store.run(latest_corrections)

    # --- legal hold and retention -------------------------------------------------------

    async def set_hold(self, call_id: str, held: bool, reason: str, viewer: Viewer) -> bool:
        """Set or clear the legal hold of a call (audited); returns the new state."""
        check_call_id(call_id)

        def work(session: Session) -> bool:
            _require_call(session, call_id)
            row = session.get(LegalHold, call_id)
            if held and row is None:
                session.add(
                    LegalHold(call_id=call_id, reason=reason[:2000], set_by=viewer.username)
                )
            elif not held and row is not None:
                session.delete(row)
            audit.record(
                session, "legal_hold_set" if held else "legal_hold_cleared",
                actor=viewer.username, target=call_id, ip=viewer.ip, reason=reason[:500],
            )  # fmt: skip
            return held

        return await self.store.run(work)

    async def held(self, call_id: str) -> bool:
        """True when the call is under legal hold."""
        check_call_id(call_id)
        return await self.store.run(lambda s: s.get(LegalHold, call_id) is not None)

    async def run_retention(self, now: datetime | None = None) -> RetentionReport:
        """Delete audio and transcripts past ``retention_days`` (held calls are kept)."""
        moment = now or utcnow()
        return await self.store.run(
            lambda s: run_retention(s, self.root, self.retention_days, moment, self.also_purge)
        )

    # --- playback -----------------------------------------------------------------------

    async def recording_file(self, call_id: str, speaker: str, viewer: Viewer) -> Path:
        """The file to play, checked to lie inside the root; the access (or its refusal: role,
        malformed id or speaker, no recording, a file outside the root) is audited."""
        await self._check_access(call_id, viewer, "recording_refused")
        if speaker not in ("mixed", *SPEAKERS):
            await self._refused("recording_refused", call_id, viewer, UnsafePath())
            raise UnsafePath()

        def work(session: Session) -> Path | CicError:
            if speaker == "mixed":
                stmt: Any = select(Recording.path).where(
                    Recording.call_id == call_id, Recording.kind == "call"
                )
            else:
                stmt = select(RecordingChannel.path).where(
                    RecordingChannel.call_id == call_id, RecordingChannel.speaker == speaker
                )
            path = session.scalars(stmt.order_by("id")).first()
            outcome: Path | CicError = RecordingNotFound()
            if path is not None:
                try:
                    outcome = inside(self.root, path)
                except UnsafePath as exc:
                    outcome = exc
            extra: dict[str, Any] = {}
            if isinstance(outcome, CicError):
                extra["error"] = outcome.error_id
            audit.record(
                session, "recording_refused" if extra else "recording_played",
                actor=viewer.username, target=call_id, ip=viewer.ip, speaker=speaker, **extra,
            )  # fmt: skip
            return outcome

        outcome = await self.store.run(work)
        if isinstance(outcome, CicError):
            raise outcome
        return outcome

    # --- access ---------------------------------------------------------------------------

    async def _check_access(self, call_id: str, viewer: Viewer, refusal: str) -> None:
        """Refuse (audited as ``refusal``) a role without playback or a malformed call id."""
        error: CicError | None = None
        if viewer.role != "admin" and viewer.role not in self.playback_roles:
            roles = ", ".join(self.playback_roles)
            error = Forbidden(f"Nagrania i transkrypcje są dostępne dla ról: {roles}.")
        else:
            try:
                check_call_id(call_id)
            except UnsafePath as exc:
                error = exc
        if error is not None:
            await self._refused(refusal, call_id, viewer, error)
            raise error

    async def _refused(self, action: str, call_id: str, viewer: Viewer, error: CicError) -> None:
        """Write one refusal to the audit log (the call id made printable and cut short)."""
        target = "".join(c if c.isprintable() else "?" for c in call_id)[:128]
        error.recorded = True

        def write(session: Session) -> None:
            audit.record(
                session, action, actor=viewer.username, target=target, ip=viewer.ip,
                role=viewer.role, error=error.error_id,
            )  # fmt: skip

        await self.store.run(write)


def _require_call(session: Session, call_id: str) -> None:
    if session.scalars(select(Call.id).where(Call.call_id == call_id)).first() is None:
        raise CallNotKnown()


def _topics(session: Session, call_id: str) -> list[TopicTag]:
    rows = session.scalars(
        select(CallTopic)
        .where(CallTopic.call_id == call_id)
        .order_by(CallTopic.source, CallTopic.confidence.desc(), CallTopic.topic_id)
    )
    return [row.as_dict() for row in rows]


def _effective(session: Session, call_id: str) -> list[TopicTag]:
    """The supervisor's topics if any, else the automatic ones."""
    tags = _topics(session, call_id)
    chosen = [t for t in tags if t["source"] == "supervisor"]
    return chosen or [t for t in tags if t["source"] == "auto"]


def latest_corrections(session: Session) -> list[tuple[str, frozenset[str]]]:
    """(redacted transcript, topics) from each call's latest correction."""
    latest: dict[str, list[str]] = {}
    for row in session.scalars(select(TopicCorrection).order_by(TopicCorrection.id)):
        latest[row.call_id] = row.after
    rows = session.execute(
        select(CallTranscript.call_id, CallTranscript.text).where(
            CallTranscript.call_id.in_(list(latest))
        )
    )
    texts = {call_id: text for call_id, text in rows}
    return [(texts[c], frozenset(t)) for c, t in latest.items() if c in texts]
