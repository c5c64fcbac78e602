"""The records behind the contact centre's figures: one ``select()`` per drill key.

A drill key is a figure's ``drill`` (``calls.abandoned``) or a part's
(``calls.abandoned:queue=pierwsza-linia``: the figure's key, the part's dimension and key).
Call keys select :class:`~cic.calls.models.Call` rows of the period (by ``entered_at``),
``callbacks.*`` select :class:`~cic.callbacks.models.CallbackRequest` rows (by
``requested_at``), ``contacts.repeated`` the repeated calls and ``reports.repeated`` the
repeated contact reports (first-contact resolution, which is worked out in Python, so this
one needs the session).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Queue
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call
from cic.cases.models import ContactReport
from cic.config import DashboardSettings, OfficeSettings
from cic.dashboard import centre_calls as calls
from cic.dashboard import centre_fcr
from cic.dashboard.centre_topics import call_topics
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.period import Period
from cic.departments.models import Department

#: Every drill key of the contact centre (without a part) and what it lists, in Polish.
KEYS = {
    "calls.offered": "połączenia skierowane do kolejki",
    "calls.answered_slow": "połączenia nieodebrane w wymaganym czasie",
    "calls.abandoned": "połączenia porzucone w kolejce",
    "calls.answered": "połączenia odebrane",
    "calls.transferred": "połączenia przekazane dalej",
    "callbacks.closed": "zamknięte prośby o oddzwonienie",
    "callbacks.failed": "prośby o oddzwonienie bez dodzwonienia się",
    "contacts.repeated": "rozmowy, po których mieszkaniec wrócił w tym samym temacie",
    "reports.repeated": "zgłoszenia, po których mieszkaniec wrócił w tym samym temacie",
}
_INTERFACE = literal("PJSIP/") + Agent.endpoint


def _call_filter(key: str, office: OfficeSettings) -> ColumnElement[bool]:
    seconds = office.service_level_seconds
    return {
        "calls.offered": calls.offered(),
        "calls.answered_slow": and_(
            calls.offered(), not_(calls.short_abandoned()),
            not_(calls.answered_within(seconds)),
        ),
        "calls.abandoned": and_(calls.offered(), Call.outcome == "abandoned"),
        "calls.answered": calls.answered(),
        "calls.transferred": calls.transferred(),
    }[key]  # fmt: skip


def _department(code: str) -> ColumnElement[bool]:
    """Calls of a department as :meth:`Directory.department_of` counts them ("-": none)."""
    with_department = select(_INTERFACE).where(Agent.department_id.is_not(None))
    if code == "-":
        queue_departments = select(Queue.name).where(Queue.department_id.is_not(None))
        return and_(
            or_(Call.agent.is_(None), Call.agent.not_in(with_department)),
            or_(Call.queue.is_(None), Call.queue.not_in(queue_departments)),
        )
    ids = select(Department.id).where(Department.code == code)
    agents = select(_INTERFACE).where(Agent.department_id.in_(ids))
    queues = select(Queue.name).where(Queue.department_id.in_(ids))
    no_agent_department = or_(Call.agent.is_(None), Call.agent.not_in(with_department))
    return or_(Call.agent.in_(agents), and_(no_agent_department, Call.queue.in_(queues)))


def _call_part(dimension: str, value: str) -> ColumnElement[bool]:
    if dimension == "queue":
        return Call.queue == value
    if dimension == "agent":
        return Call.agent == f"PJSIP/{Agent.endpoint_for(value)}"
    if dimension == "department":
        return _department(value)
    if dimension == "topic":
        topic = call_topics()
        return Call.call_id.in_(select(topic.c.call_id).where(topic.c.topic == value))
    raise UnknownMeasure()


def statement(
    session: Session,
    drill: str,
    period: Period,
    office: OfficeSettings,
    dashboard: DashboardSettings,
) -> Select[Any]:
    """The records behind ``drill`` in ``period``, oldest first; :class:`UnknownMeasure`
    for a key that is not the contact centre's."""
    key, _, part = drill.partition(":")
    dimension, _, value = part.partition("=")
    if key not in KEYS or (part and not value):
        raise UnknownMeasure()
    if key.startswith("calls."):
        stmt = select(Call).where(calls.in_period(period), _call_filter(key, office))
        if part:
            stmt = stmt.where(_call_part(dimension, value))
        return stmt.order_by(Call.entered_at, Call.id)
    if key.startswith("callbacks."):
        start, end = period.bounds()
        wanted = (
            ("done", "failed", "cancelled")
            if key == "callbacks.closed"
            else ("failed", "cancelled")
        )
        requests = select(CallbackRequest).where(
            CallbackRequest.requested_at >= start, CallbackRequest.requested_at < end,
            CallbackRequest.status.in_(wanted),
        )  # fmt: skip
        if part:
            if dimension != "queue":
                raise UnknownMeasure()
            requests = requests.where(CallbackRequest.queue == value)
        return requests.order_by(CallbackRequest.requested_at, CallbackRequest.id)
    return _repeated(session, key, period, dashboard.fcr_days, dimension, value)


def _repeated(
    session: Session, key: str, period: Period, days: int, dimension: str, value: str
) -> Select[Any]:
    if dimension not in ("", "channel"):
        raise UnknownMeasure()
    mine, again = centre_fcr.in_period(session, period, days)
    refs = [c.ref for c in mine if c.ref in again and (not value or c.channel == value)]
    if key == "contacts.repeated":
        ids = [r.removeprefix("call:") for r in refs if r.startswith("call:")]
        return select(Call).where(Call.call_id.in_(ids)).order_by(Call.entered_at, Call.id)
    numbers = [int(r.removeprefix("report:")) for r in refs if r.startswith("report:")]
    return (
        select(ContactReport)
        .where(ContactReport.id.in_(numbers))
        .order_by(ContactReport.created_at, ContactReport.id)
    )


def count(session: Session, stmt: Select[Any]) -> int:
    """How many records ``stmt`` selects."""
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
