"""Which records a measure counts, as SQL conditions: the measures and their drill-downs
use the same ones, so the list behind a figure always adds up to the figure.

Values from settings and from the page (a JRWA symbol, a topic, a slug) are always bound
parameters; nothing is put into SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, case, exists, func, or_, select

from cic.announcements.models import Announcement
from cic.calls.models import Call
from cic.cases.models import Case, ContactReport
from cic.db import utcnow

#: Channels through which a matter is handled electronically (internet and phone).
ELECTRONIC_CHANNELS = ("email", "www", "epuap", "telefon")


def complaint_case(jrwa: Sequence[str]) -> ColumnElement[bool]:
    """A case in one of the complaint JRWA classes."""
    return Case.jrwa.in_(list(jrwa))


def complaint_report(jrwa: Sequence[str], topics: Sequence[str]) -> ColumnElement[bool]:
    """A report on a complaint topic that did not become a complaint case (that case is
    counted as a case instead)."""
    complaint_cases = select(Case.id).where(complaint_case(jrwa))
    return ContactReport.topic.in_(list(topics)) & or_(
        ContactReport.case_id.is_(None), ContactReport.case_id.not_in(complaint_cases)
    )


def direct_case() -> ColumnElement[bool]:
    """A case not registered from a contact report."""
    return ~exists().where(ContactReport.case_id == Case.id)


def report_handled_at() -> ColumnElement[datetime]:
    """When a report was dealt with: its answer, else the last change of a closed report."""
    closed = case((ContactReport.status == "zamkniete", ContactReport.updated_at), else_=None)
    return func.coalesce(ContactReport.answered_at, closed)


def answered_call() -> ColumnElement[bool]:
    """A call someone answered."""
    return Call.answered_at.is_not(None)


def published() -> ColumnElement[bool]:
    """An announcement made public by now (also one withdrawn later), at ``publish_at``."""
    public = Announcement.state.in_(("published", "withdrawn", "scheduled"))
    return public & Announcement.publish_at.is_not(None) & (Announcement.publish_at <= utcnow())
