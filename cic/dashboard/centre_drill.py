"""The records behind the contact centre's figures (drill-downs), in the dashboard's
registry form: ``key -> fn(session, Ask) -> (rows, total)``, newest first.

A figure's drill key lists exactly the records its value stands on, and a part's key
(``kolejka:pierwsza-linia``, ``komorka:FN``, ``konsultant:anna``, ``temat:podatki``,
``kanal:email``) is the filter listing exactly the part's ``count`` records:

- ``calls.level``: calls offered to a queue, less those left within 5 s (service level);
- ``calls.offered``: calls offered to a queue (abandonment);
- ``calls.answered_queued``: answered calls from a queue (average speed of answer);
- ``calls.handled``: answered calls with a known talk time (handling times);
- ``calls.answered``: answered calls (transfers, agents, departments);
- ``callbacks.closed``: closed callback requests (callback success);
- ``contacts``: the calls and contact reports counted by first-contact resolution.

Lists of the problems themselves, for links beside the figures: ``calls.answered_slow``
(not answered in time), ``calls.abandoned``, ``calls.transferred``, ``callbacks.failed``,
``contacts.repeated`` (calls and reports the resident came back after).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Queue
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call
from cic.cases.models import ContactReport
from cic.config import OfficeSettings
from cic.dashboard import centre_calls as calls
from cic.dashboard import centre_fcr
from cic.dashboard.centre_rows import drill_row
from cic.dashboard.centre_topics import call_topics
from cic.dashboard.drill_common import Ask, Rows
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.period import Period
from cic.departments.models import Department

Source = Callable[[Session, Ask], Rows]
CALL_KEYS = (
    "calls.level", "calls.offered", "calls.answered_queued", "calls.handled",
    "calls.answered", "calls.answered_slow", "calls.abandoned", "calls.transferred",
)  # fmt: skip
CALL_PARTS = ("kolejka", "konsultant", "komorka", "temat")
_INTERFACE = literal("PJSIP/") + Agent.endpoint


def _call_filter(key: str, seconds: int) -> ColumnElement[bool]:
    counted = and_(calls.offered(), not_(calls.short_abandoned()))
    return {
        "calls.level": counted,
        "calls.offered": calls.offered(),
        "calls.answered_queued": and_(
            calls.offered(), calls.answered(), Call.wait_seconds.is_not(None)
        ),
        "calls.handled": calls.handled(),
        "calls.answered": calls.answered(),
        "calls.answered_slow": and_(counted, not_(calls.answered_within(seconds))),
        "calls.abandoned": and_(calls.offered(), Call.outcome == "abandoned"),
        "calls.transferred": calls.transferred(),
    }[key]  # fmt: skip


def _department(code: str) -> ColumnElement[bool]:
    """Calls of a department as :meth:`Directory.department_of` counts them ("-": none)."""
    with_department = select(_INTERFACE).where(Agent.department_id.is_not(None))
    no_agent_department = or_(Call.agent.is_(None), Call.agent.not_in(with_department))
    if code == "-":
        queue_departments = select(Queue.name).where(Queue.department_id.is_not(None))
        return and_(
            no_agent_department, or_(Call.queue.is_(None), Call.queue.not_in(queue_departments))
        )
    ids = select(Department.id).where(Department.code == code)
    agents = select(_INTERFACE).where(Agent.department_id.in_(ids))
    queues = select(Queue.name).where(Queue.department_id.in_(ids))
    return or_(Call.agent.in_(agents), and_(no_agent_department, Call.queue.in_(queues)))


def _call_part(part: str) -> ColumnElement[bool]:
    prefix, _, value = part.partition(":")
    if not value or prefix not in CALL_PARTS:
        raise UnknownMeasure()
    if prefix == "kolejka":
        return Call.queue == value
    if prefix == "konsultant":
        return Call.agent == (value if "/" in value else f"PJSIP/{Agent.endpoint_for(value)}")
    if prefix == "komorka":
        return _department(value)
    topic = call_topics()
    return Call.call_id.in_(select(topic.c.call_id).where(topic.c.topic == value))


def call_statement(key: str, period: Period, part: str | None, seconds: int) -> Select[Any]:
    """The calls behind ``key`` (and part filter ``part``) in ``period``, newest first."""
    stmt = select(Call).where(calls.in_period(period), _call_filter(key, seconds))
    if part is not None:
        stmt = stmt.where(_call_part(part))
    return stmt.order_by(Call.entered_at.desc(), Call.id.desc())


def callback_statement(key: str, period: Period, part: str | None) -> Select[Any]:
    """The callback requests behind ``key`` in ``period``, newest first."""
    start, end = period.bounds()
    wanted = (
        ("done", "failed", "cancelled") if key == "callbacks.closed" else ("failed", "cancelled")
    )
    stmt = select(CallbackRequest).where(
        CallbackRequest.requested_at >= start, CallbackRequest.requested_at < end,
        CallbackRequest.status.in_(wanted),
    )  # fmt: skip
    if part is not None:
        prefix, _, value = part.partition(":")
        if prefix != "kolejka" or not value:
            raise UnknownMeasure()
        stmt = stmt.where(CallbackRequest.queue == value)
    return stmt.order_by(CallbackRequest.requested_at.desc(), CallbackRequest.id.desc())


def _paged(session: Session, stmt: Select[Any], ask: Ask) -> Rows:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    records = session.scalars(stmt.limit(ask.limit).offset(ask.offset))
    return [drill_row(r, ask.period.zone) for r in records], int(total or 0)


def _contacts(session: Session, ask: Ask, only_repeated: bool) -> Rows:
    channel = None
    if ask.part is not None:
        prefix, _, channel = ask.part.partition(":")
        if prefix != "kanal" or not channel:
            raise UnknownMeasure()
    mine, again = centre_fcr.in_period(session, ask.period, ask.settings.fcr_days)
    chosen = [
        c for c in mine
        if (channel is None or c.channel == channel) and (not only_repeated or c.ref in again)
    ]  # fmt: skip
    chosen.sort(key=lambda c: (c.at, c.ref), reverse=True)
    shown = chosen[ask.offset : ask.offset + ask.limit]
    call_ids = [c.ref.removeprefix("call:") for c in shown if c.ref.startswith("call:")]
    report_ids = [int(c.ref.removeprefix("report:")) for c in shown if c.ref.startswith("report:")]
    shown_calls = session.scalars(select(Call).where(Call.call_id.in_(call_ids)))
    found: dict[str, Call | ContactReport] = {f"call:{c.call_id}": c for c in shown_calls}
    for report in session.scalars(select(ContactReport).where(ContactReport.id.in_(report_ids))):
        found[f"report:{report.id}"] = report
    return [drill_row(found[c.ref], ask.period.zone) for c in shown], len(chosen)


def _calls(key: str, seconds: int) -> Source:
    def source(session: Session, ask: Ask) -> Rows:
        return _paged(session, call_statement(key, ask.period, ask.part, seconds), ask)

    return source


def _callbacks(key: str) -> Source:
    def source(session: Session, ask: Ask) -> Rows:
        return _paged(session, callback_statement(key, ask.period, ask.part), ask)

    return source


def sources(office: OfficeSettings) -> dict[str, Source]:
    """Every drill-down of the contact centre, for ``DashboardService(drills=...)``."""
    out = {key: _calls(key, office.service_level_seconds) for key in CALL_KEYS}
    out |= {key: _callbacks(key) for key in ("callbacks.closed", "callbacks.failed")}
    out["contacts"] = partial(_contacts, only_repeated=False)
    out["contacts.repeated"] = partial(_contacts, only_repeated=True)
    return out
