"""Contact reports (zgłoszenia) inside one transaction: create, change, link calls and cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.calls.models import Call, CallWrapup
from cic.cases import records
from cic.cases.errors import CaseConflict, ReportNotFound
from cic.cases.models import (
    REPORT_CHANNELS,
    REPORT_STATUSES,
    Case,
    ContactReport,
    ContactReportCall,
)
from cic.cases.schemas import ReportOut, ReportsQuery
from cic.db import utcnow


def get(session: Session, report_id: int) -> ContactReport:
    """The report or ``ReportNotFound``."""
    report = session.get(ContactReport, report_id)
    if report is None:
        raise ReportNotFound(f"Nie znaleziono zgłoszenia nr {report_id}.")
    return report


def create(session: Session, fields: dict[str, str], creator: str, call_ids: list[str]) -> int:
    """Insert a report (status ``nowe``) with its calls; returns its number."""
    now = utcnow()
    report = ContactReport(
        topic=fields["topic"], note=fields.get("note", ""),
        department=fields.get("department", ""), owner=fields.get("owner") or creator,
        status="nowe", created_by=creator, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(report)
    session.flush()
    for call_id in call_ids:
        link_call(session, report, call_id, creator)
    return report.id


def link_call(session: Session, report: ContactReport, call_id: str, actor: str) -> bool:
    """Link a call (once); a report that is already a case passes the call on to the case."""
    exists = session.scalars(
        select(ContactReportCall.id).where(
            ContactReportCall.report_id == report.id, ContactReportCall.call_id == call_id
        )
    ).first()
    if exists is None:
        session.add(
            ContactReportCall(
                report_id=report.id, call_id=call_id, linked_by=actor, linked_at=utcnow()
            )
        )
        report.updated_at = utcnow()
    if report.case_id is not None:
        case = session.get(Case, report.case_id)
        if case is not None:
            records.link_call(session, case, call_id, actor, via=str(report.id))
    return exists is None


def attach_case(session: Session, report: ContactReport, case: Case, actor: str) -> None:
    """Make ``case`` the report's case: the report's calls join the case, noted in the metryka."""
    if report.case_id is not None and report.case_id != case.id:
        raise CaseConflict(f"Zgłoszenie nr {report.id} jest już połączone z inną sprawą.")
    if report.case_id == case.id:
        return
    report.case_id = case.id
    report.updated_at = utcnow()
    records.note(
        session, case, actor, "zgloszenie", f"Połączono zgłoszenie nr {report.id}.", str(report.id)
    )
    for call_id in calls_of(session, report.id):
        records.link_call(session, case, call_id, actor, via=str(report.id))


def update(session: Session, report: ContactReport, fields: dict[str, str]) -> None:
    """Change topic, note, department, status or owner."""
    for name, value in fields.items():
        setattr(report, name, value)
    report.updated_at = utcnow()


def calls_of(session: Session, report_id: int) -> list[str]:
    """The report's call ids, in the order they were linked."""
    return list(
        session.scalars(
            select(ContactReportCall.call_id)
            .where(ContactReportCall.report_id == report_id)
            .order_by(ContactReportCall.id)
        ).all()
    )


def to_json(session: Session, report: ContactReport) -> ReportOut:
    """The report as JSON (its case by signature)."""
    case = None if report.case_id is None else session.get(Case, report.case_id)
    return {
        "id": report.id,
        "topic": report.topic,
        "note": report.note,
        "department": report.department,
        "status": report.status,
        "status_label": REPORT_STATUSES[report.status],
        "channel": report.channel,
        "channel_label": REPORT_CHANNELS.get(report.channel, report.channel),
        "resident_id": report.resident_id,
        "contact": report.contact,
        "waiting_since": _iso(report.waiting_since),
        "reply_due": report.reply_due.isoformat() if report.reply_due else None,
        "answered_at": _iso(report.answered_at),
        "owner": report.owner,
        "created_by": report.created_by,
        "case": None if case is None else case.signature,
        "calls": calls_of(session, report.id),
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def may_change(report: ContactReport, username: str, official: bool) -> bool:
    """Officials change any report; agents the ones they created or own."""
    return official or username in (report.created_by, report.owner)


def in_first_line_queue() -> ColumnElement[bool]:
    """Messages (e-mail, web form) waiting for an answer that nobody has taken and no
    department has been given: the first line's shared work, open to every agent."""
    return (
        (ContactReport.channel != "telefon")
        & ContactReport.waiting_since.is_not(None)
        & (ContactReport.owner == "")
        & (ContactReport.department == "")
    )


def readable_by_agent(username: str, interface: str | None) -> ColumnElement[bool]:
    """Reports an agent may read: created or owned by them, in the first line's queue, or
    about a call they took (they answered it or wrapped it up)."""
    own = (
        (ContactReport.created_by == username)
        | (ContactReport.owner == username)
        | in_first_line_queue()
    )
    if not interface:
        return own
    taken = (
        select(Call.call_id)
        .where(Call.agent == interface)
        .union(select(CallWrapup.call_id).where(CallWrapup.agent == interface))
    )
    about_theirs = select(ContactReportCall.report_id).where(ContactReportCall.call_id.in_(taken))
    return or_(own, ContactReport.id.in_(about_theirs))


def may_read(session: Session, report: ContactReport, actor: Actor) -> bool:
    """Officials read every report; agents those of :func:`readable_by_agent`."""
    if actor.official:
        return True
    rule = readable_by_agent(actor.username, actor.interface)
    found = session.scalars(
        select(ContactReport.id).where(ContactReport.id == report.id, rule)
    ).first()
    return found is not None


def listing(query: ReportsQuery, limit: int) -> Select[ContactReport]:
    """Reports, newest first, filtered by ``call_id``, ``status``, ``department``, ``owner``."""
    stmt = select(ContactReport).order_by(ContactReport.id.desc()).limit(limit)
    if query.call_id:
        linked = select(ContactReportCall.report_id).where(
            ContactReportCall.call_id == query.call_id
        )
        stmt = stmt.where(ContactReport.id.in_(linked))
    for name in ("status", "department", "owner", "channel", "resident_id"):
        if value := getattr(query, name):
            stmt = stmt.where(getattr(ContactReport, name) == value)
    return stmt


def on_calls(call_ids: list[str], limit: int = 200) -> Select[ContactReport]:
    """The reports linked to any of ``call_ids``, newest first."""
    linked = select(ContactReportCall.report_id).where(ContactReportCall.call_id.in_(call_ids))
    return (
        select(ContactReport)
        .where(ContactReport.id.in_(linked))
        .order_by(ContactReport.id.desc())
        .limit(limit)
    )
