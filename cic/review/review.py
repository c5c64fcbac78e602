"""The supervisor's review: find tagged calls, and count topics per week or month.

A call's topics for review and statistics are its *effective* topics: the supervisor's
correction when there is one, else the automatic tags; the agent's wrap-up topic is shown
beside them. Weeks are ISO weeks (``2026-W49``), months ``2026-12``, both in the office's
time zone. Departments come from the taxonomy (topic → department), so the counts per
department follow the office's own file.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from cic.agents.models import Queue
from cic.calls.models import Call
from cic.departments.service import ids_with_code
from cic.recordings.models import CallTopic, CallTranscript
from cic.review.answers import ReviewCall, TopicCount
from cic.topics.taxonomy import Taxonomy

Period = Literal["week", "month"]
MAX_CALLS = 500
OUTCOMES = ("answered", "abandoned", "message", "unanswered", "lost", "callback", "in_progress")


@dataclass(frozen=True)
class Filters:
    """What the supervisor filters calls by (all optional)."""

    topic: str = ""
    since: date | None = None
    until: date | None = None
    agent: str = ""
    department: str = ""
    outcome: str = ""
    min_seconds: float | None = None
    max_seconds: float | None = None
    transcribed_only: bool = False


def effective_topics(session: Session, call_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per call: ``topics`` (supervisor's, else automatic), ``wrapup`` topics, ``corrected``."""
    out: dict[str, dict[str, Any]] = {
        c: {"topics": [], "wrapup": [], "corrected": False} for c in call_ids
    }
    if not call_ids:
        return out
    auto: dict[str, list[str]] = {}
    rows = session.scalars(
        select(CallTopic)
        .where(CallTopic.call_id.in_(call_ids))
        .order_by(CallTopic.confidence.desc(), CallTopic.topic_id)
    )
    for row in rows:
        entry = out[row.call_id]
        if row.source == "supervisor":
            entry["topics"].append(row.topic_id)
            entry["corrected"] = True
        elif row.source == "wrapup":
            entry["wrapup"].append(row.topic_id)
        else:
            auto.setdefault(row.call_id, []).append(row.topic_id)
    for call_id, entry in out.items():
        if not entry["corrected"]:
            entry["topics"] = auto.get(call_id, [])
    return out


def on_topics(topics: list[str]) -> ColumnElement[bool]:
    """True for a call with one of ``topics`` among its effective or wrap-up topics: a
    supervisor's topic or the agent's wrap-up, or an automatic tag of an uncorrected call.

    Correlated (probed per call by ``call_topics.call_id``): a search joins a few hundred
    matching calls to the filters, and SQLite would first list every call of the topic."""
    tag, correction = aliased(CallTopic), aliased(CallTopic)
    corrected = exists().where(correction.call_id == tag.call_id, correction.source == "supervisor")
    return exists().where(
        tag.call_id == Call.call_id,
        tag.topic_id.in_(topics),
        or_(tag.source.in_(("supervisor", "wrapup")), ~corrected),
    )


class Review:
    """Queries for the review page and the statistics, over one taxonomy and time zone."""

    def __init__(self, taxonomy: Taxonomy, timezone: str = "Europe/Warsaw") -> None:
        """``taxonomy`` names topics and maps them to departments."""
        self.taxonomy = taxonomy
        self.zone = ZoneInfo(timezone)
        self.names = {t.id: t.name for t in taxonomy.topics}
        self.department_of = {t.id: t.department for t in taxonomy.topics}

    def _bounds(self, since: date | None, until: date | None) -> tuple[datetime | None, ...]:
        start = datetime.combine(since, time(), self.zone) if since else None
        end = datetime.combine(until + timedelta(days=1), time(), self.zone) if until else None
        return start, end

    def select_calls(self, f: Filters) -> Select[Call]:
        """The calls matching ``f`` (a query to order, limit or join further)."""
        stmt = select(Call)
        start, end = self._bounds(f.since, f.until)
        if start is not None:
            stmt = stmt.where(Call.entered_at >= start)
        if end is not None:
            stmt = stmt.where(Call.entered_at < end)
        if f.agent:
            agent = f.agent if f.agent.startswith("PJSIP/") else f"PJSIP/agent-{f.agent}"
            stmt = stmt.where(Call.agent == agent)
        if f.outcome:
            stmt = stmt.where(Call.outcome == f.outcome)
        if f.min_seconds is not None:
            stmt = stmt.where(Call.talk_seconds >= f.min_seconds)
        if f.max_seconds is not None:
            stmt = stmt.where(Call.talk_seconds <= f.max_seconds)
        if f.transcribed_only:
            stmt = stmt.where(Call.call_id.in_(select(CallTranscript.call_id)))
        if f.department:
            queues = select(Queue.name).where(Queue.department_id.in_(ids_with_code(f.department)))
            topics = [t for t, d in self.department_of.items() if d == f.department]
            stmt = stmt.where(Call.queue.in_(queues) | on_topics(topics))
        if f.topic:
            stmt = stmt.where(on_topics([f.topic]))
        return stmt

    def calls(self, session: Session, f: Filters, limit: int = 200) -> list[ReviewCall]:
        """Calls matching ``f``, newest first, with their effective topics."""
        rows = session.scalars(
            self.select_calls(f).order_by(Call.id.desc()).limit(min(limit, MAX_CALLS))
        ).all()
        ids = [c.call_id for c in rows]
        topics = effective_topics(session, ids)
        transcribed = set(
            session.scalars(select(CallTranscript.call_id).where(CallTranscript.call_id.in_(ids)))
        )
        out: list[ReviewCall] = []
        for call in rows:
            tags = topics[call.call_id]
            out.append({
                **call.summary(),
                "topics": [{"id": t, "name": self.names.get(t, t)} for t in tags["topics"]],
                "wrapup_topics": tags["wrapup"],
                "corrected": tags["corrected"],
                "transcribed": call.call_id in transcribed,
            })  # fmt: skip
        return out

    def period_of(self, at: datetime, period: Period) -> str:
        """``2026-W49`` or ``2026-12`` for a moment, in the office's time zone."""
        local = at.astimezone(self.zone)
        if period == "month":
            return f"{local.year}-{local.month:02d}"
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"

    def counts(self, session: Session, f: Filters, period: Period) -> list[TopicCount]:
        """How often each topic came up per period (and department), most frequent first
        within a period; a call with two topics counts once for each."""
        rows = session.execute(
            self.select_calls(f).with_only_columns(Call.call_id, Call.entered_at)
        ).all()
        topics = effective_topics(session, [r[0] for r in rows])
        tally: Counter[tuple[str, str]] = Counter()
        for call_id, entered in rows:
            if entered is None:
                continue
            for topic in topics[call_id]["topics"]:
                if not f.topic or topic == f.topic:
                    tally[(self.period_of(entered, period), topic)] += 1
        return [
            {"period": p, "topic": t, "name": self.names.get(t, t),
             "department": self.department_of.get(t, ""), "calls": n}
            for (p, t), n in sorted(tally.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
        ]  # fmt: skip


def as_csv(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> str:
    """Rows as CSV (``;``-separated, as Polish spreadsheets expect), formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for key in columns:
            value = row.get(key)
            text = "" if value is None else str(value)
            if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
                text = "'" + text  # a spreadsheet must not run a caller's text as a formula
            cells.append(text)
        writer.writerow(cells)
    return out.getvalue()
