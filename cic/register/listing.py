"""The call register: every call of the office, filtered, newest first, a page at a time.

Filters (all optional, :class:`RegisterFilters`): days ``since``/``until`` in the office's
zone; the caller's number by a run of its digits; the caller's name (a part, any case); the
agent (``anna`` or ``PJSIP/agent-anna``); the queue; the outcome; a topic (tagged, corrected
by a supervisor or named in an agent's wrap-up, as the review counts it); with a recording;
transferred; linked to a case or contact report; words in the transcript (the transcript
search of ``cic.review.search``: its best ``TEXT_HITS`` matches). Pure queries over one
session; who may read them is decided by :mod:`cic.register.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from cic import polish_dates as dates
from cic.calls import labels
from cic.calls.models import Call, CallEvent, CallWrapup, Recording
from cic.cases.models import CaseCall, ContactReportCall
from cic.recordings.models import CallTranscript
from cic.register.schemas import RegisterFilters
from cic.review.review import Review, effective_topics, on_topics
from cic.review.search import MAX_PAGE, TranscriptSearch

PAGE_SIZE = 50
TEXT_HITS = MAX_PAGE + 1  # the transcript search's best matches a text filter keeps
AGENT_PREFIX = "PJSIP/agent-"


def agent_name(interface: str | None) -> str:
    """``anna`` for ``PJSIP/agent-anna`` (other interfaces as they are)."""
    return (interface or "").removeprefix(AGENT_PREFIX)


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register: its rows, the total matching and where the page is."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _recorded() -> ColumnElement[bool]:
    return exists().where(Recording.call_id == Call.call_id, Recording.kind == "call")


def _transferred() -> ColumnElement[bool]:
    return exists().where(CallEvent.call_id == Call.call_id, CallEvent.type == "CallTransferred")


def _linked() -> ColumnElement[bool]:
    return or_(
        exists().where(CaseCall.call_id == Call.call_id),
        exists().where(ContactReportCall.call_id == Call.call_id),
    )


class CallRegister:
    """Queries of the register over the review's taxonomy (topic names) and office zone."""

    def __init__(self, review: Review, zone: str) -> None:
        """``review`` names topics and finds them; ``zone`` is the office's time zone."""
        self.review = review
        self.zone = zone
        self.search = TranscriptSearch(review)

    def _bounds(self, f: RegisterFilters) -> tuple[datetime | None, datetime | None]:
        zone = ZoneInfo(self.zone)
        start = datetime.combine(f.since, time(), zone) if f.since else None
        end = datetime.combine(f.until + timedelta(days=1), time(), zone) if f.until else None
        return start, end

    def select_calls(self, session: Session, f: RegisterFilters) -> Select[Call]:
        """The calls matching ``f`` (unordered)."""
        stmt = select(Call)
        start, end = self._bounds(f)
        if start is not None:
            stmt = stmt.where(Call.entered_at >= start)
        if end is not None:
            stmt = stmt.where(Call.entered_at < end)
        if f.number:
            stmt = stmt.where(Call.caller_number.contains(f.number, autoescape=True))
        if f.name:
            name = func.lower(Call.caller_name)
            stmt = stmt.where(name.contains(f.name.lower(), autoescape=True))
        if f.agent:
            agent = f.agent if "/" in f.agent else AGENT_PREFIX + f.agent
            stmt = stmt.where(Call.agent == agent)
        if f.queue:
            stmt = stmt.where(Call.queue == f.queue)
        if f.outcome:
            stmt = stmt.where(Call.outcome == f.outcome)
        if f.topic:
            wrapped = exists().where(
                CallWrapup.call_id == Call.call_id, CallWrapup.topic == f.topic
            )
            stmt = stmt.where(or_(on_topics([f.topic]), wrapped))
        if f.recorded:
            stmt = stmt.where(_recorded())
        if f.transferred:
            stmt = stmt.where(_transferred())
        if f.with_case:
            stmt = stmt.where(_linked())
        if f.text:
            hits = self.search.search(session, f.text, None, TEXT_HITS)
            stmt = stmt.where(Call.call_id.in_([hit["call_id"] for hit in hits]))
        return stmt

    def page(self, session: Session, f: RegisterFilters, page: int = 1) -> RegisterPage:
        """Page ``page`` (from 1) of the matching calls, newest first, with the total."""
        stmt = self.select_calls(session, f)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        calls = session.scalars(
            stmt.order_by(Call.entered_at.desc().nulls_last(), Call.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        pages = max(1, -(-total // PAGE_SIZE))
        return RegisterPage(self.rows(session, list(calls)), total, page, pages)

    def rows(self, session: Session, calls: list[Call]) -> list[dict[str, Any]]:
        """The calls as register rows: the record, Polish labels and what is attached."""
        ids = [c.call_id for c in calls]
        topics = effective_topics(session, ids)
        wrapups: dict[str, list[str]] = {}
        for call_id, topic in session.execute(
            select(CallWrapup.call_id, CallWrapup.topic)
            .where(CallWrapup.call_id.in_(ids))
            .order_by(CallWrapup.id)
        ):
            if topic:
                wrapups.setdefault(call_id, []).append(topic)

        def having(condition: ColumnElement[bool]) -> set[str]:
            stmt = select(Call.call_id).where(Call.call_id.in_(ids), condition)
            return set(session.scalars(stmt))

        transcribed = set(
            session.scalars(select(CallTranscript.call_id).where(CallTranscript.call_id.in_(ids)))
        )
        recorded, transferred = having(_recorded()), having(_transferred())
        linked = having(_linked())
        return [
            self._row(c, topics[c.call_id]["topics"], wrapups.get(c.call_id, []),
                      {"recorded": c.call_id in recorded, "transcribed": c.call_id in transcribed,
                       "transferred": c.call_id in transferred, "linked": c.call_id in linked})
            for c in calls
        ]  # fmt: skip

    def _row(self, call: Call, tagged: list[str], wrapped: list[str],
             flags: dict[str, bool]) -> dict[str, Any]:  # fmt: skip
        names = [self.review.names.get(t, t) for t in tagged]
        names += [t for t in wrapped if t not in tagged and t not in names]
        return {
            **call.summary(),
            "agent_name": agent_name(call.agent),
            "outcome_label": str(labels.outcome(call.outcome)),
            "outcome_badge": labels.outcome_badge(call.outcome),
            "entered_at_pl": dates.pl_datetime(call.entered_at, self.zone),
            "topics": names,
            **flags,
        }

    def choices(self, session: Session) -> dict[str, list[str]]:
        """The queues and agents calls were handled in (for the filter form's lists)."""
        queues = session.scalars(select(Call.queue).where(Call.queue.is_not(None)).distinct())
        agents = session.scalars(select(Call.agent).where(Call.agent.is_not(None)).distinct())
        return {
            "queues": sorted(q for q in queues if q),
            "agents": sorted({agent_name(a) for a in agents if a}),
        }
