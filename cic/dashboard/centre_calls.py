"""The calls of a period summed in one SQL query per (agent, queue), and who is who.

A call belongs to the period by ``calls.entered_at`` (when it reached the office's number):
a call that starts at 23:58 on the 31st and is answered after midnight belongs to the 31st
and to that month. Calls still going on (``in_progress``, not answered) are left out until
they end. The sums are grouped by the answering agent's interface and the queue, so the
totals, the queues, the agents and the departments are all added up from the same few
hundred rows, however many calls there were.

A call's department is the department of the agent who answered it, else of the queue it
was offered to (``agents.department_id``, ``queues.department_id``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, Queue
from cic.calls.models import Call
from cic.dashboard.period import Period
from cic.dashboard.sql import hour
from cic.departments.service import all_by_id
from cic.transfers.models import Transfer

SHORT_ABANDON_SECONDS = 5
COMPLETED_TRANSFERS = ("completed", "done")
NO_DEPARTMENT = ("", "bez komórki")


def in_period(period: Period) -> ColumnElement[bool]:
    """Calls that entered in ``period`` (local days of the office)."""
    start, end = period.bounds()
    return and_(Call.entered_at >= start, Call.entered_at < end)


def offered() -> ColumnElement[bool]:
    """Calls offered to a queue that have finished (answered or not)."""
    return and_(Call.queued_at.is_not(None), Call.outcome != "in_progress")


def answered() -> ColumnElement[bool]:
    """Calls an agent answered."""
    return Call.answered_at.is_not(None)


def answered_within(seconds: int) -> ColumnElement[bool]:
    """Queued calls answered after at most ``seconds`` of waiting."""
    return and_(offered(), answered(), Call.wait_seconds <= seconds)


def short_abandoned() -> ColumnElement[bool]:
    """Callers who hung up within the first 5 s in the queue (a slip, not a lost call)."""
    return and_(
        Call.outcome == "abandoned", func.coalesce(Call.wait_seconds, 0) < SHORT_ABANDON_SECONDS
    )


def transferred() -> ColumnElement[bool]:
    """Answered calls handed on to a colleague (a completed attended or blind transfer)."""
    return and_(
        answered(),
        exists().where(Transfer.call_id == Call.call_id, Transfer.state.in_(COMPLETED_TRANSFERS)),
    )


def handled() -> ColumnElement[bool]:
    """Answered calls whose talk time is known (the base of handling times)."""
    return and_(answered(), Call.talk_seconds.is_not(None))


@dataclass
class Sums:
    """What the figures are computed from (added up over any set of rows)."""

    offered: int = 0
    within: int = 0
    short_abandoned: int = 0
    abandoned: int = 0
    callbacks: int = 0
    queued_answered: int = 0
    wait_total: float = 0.0
    answered: int = 0
    transferred: int = 0
    handled: int = 0
    talk_total: float = 0.0

    def add(self, other: Sums) -> None:
        """Add ``other`` to these sums."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


_TYPES: tuple[Callable[[Any], Any], ...] = tuple(
    float if item.type in ("float", float) else int for item in fields(Sums)
)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _total(condition: ColumnElement[bool], value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _sum_columns(service_seconds: int) -> list[Any]:
    """The columns of :class:`Sums`, in its order."""
    queued_answer = and_(offered(), answered(), Call.wait_seconds.is_not(None))
    return [
        _count(offered()),
        _count(answered_within(service_seconds)),
        _count(and_(offered(), short_abandoned())),
        _count(and_(offered(), Call.outcome == "abandoned")),
        _count(and_(offered(), Call.outcome == "callback")),
        _count(queued_answer),
        _total(queued_answer, Call.wait_seconds),
        _count(answered()),
        _count(transferred()),
        _count(handled()),
        _total(handled(), Call.talk_seconds),
    ]


def _sums(values: Sequence[Any]) -> Sums:
    return Sums(*(type_(v) for type_, v in zip(_TYPES, values, strict=True)))


def sums_by_agent_and_queue(
    session: Session, period: Period, service_seconds: int
) -> dict[tuple[str, str], Sums]:
    """``{(agent interface or "", queue or ""): Sums}`` of the calls of ``period``."""
    rows = session.execute(
        select(Call.agent, Call.queue, *_sum_columns(service_seconds))
        .where(in_period(period))
        .group_by(Call.agent, Call.queue)
    ).all()
    out: dict[tuple[str, str], Sums] = {}
    for row in rows:  # (NULL agent, NULL queue) and ("", "") are the same group
        out.setdefault((row[0] or "", row[1] or ""), Sums()).add(_sums(row[2:]))
    return out


def sums_by_day(session: Session, period: Period, service_seconds: int) -> list[tuple[date, Sums]]:
    """The sums of each local day of ``period``: summed in SQL per UTC hour (as
    :func:`cic.dashboard.sql.daily` counts), the hours put on the office's days here."""
    bucket = hour(session, Call.entered_at).label("hour")
    rows = session.execute(
        select(bucket, *_sum_columns(service_seconds)).where(in_period(period)).group_by(bucket)
    )
    days = {day: Sums() for day in period.day_list()}
    for at, *values in rows:
        days[period.local_day(at)].add(_sums(values))
    return list(days.items())


def grouped(sums: dict[tuple[str, str], Sums], key: Callable[[str, str], str]) -> dict[str, Sums]:
    """The sums added up by ``key(agent, queue)`` (rows with key ``""`` are dropped)."""
    out: dict[str, Sums] = {}
    for (agent, queue), value in sums.items():
        name = key(agent, queue)
        if name:
            out.setdefault(name, Sums()).add(value)
    return out


def total(sums: Iterable[Sums]) -> Sums:
    """All the sums added up."""
    out = Sums()
    for value in sums:
        out.add(value)
    return out


@dataclass(frozen=True)
class Directory:
    """Agents by interface, queues by name and departments by code, with Polish labels."""

    agents: dict[str, tuple[str, str]]  # interface -> (username, display name)
    queues: dict[str, str]  # name -> title
    departments: dict[str, str]  # code -> name
    agent_department: dict[str, str]  # interface -> department code
    queue_department: dict[str, str]  # queue name -> department code

    def department_of(self, agent: str, queue: str) -> str:
        """The call's department code: the answering agent's, else the queue's."""
        return self.agent_department.get(agent) or self.queue_department.get(queue) or ""

    def agent_key(self, agent: str, _queue: str = "") -> str:
        """The username of an interface (the interface itself for an unknown one)."""
        return self.agents[agent][0] if agent in self.agents else agent


def directory(session: Session) -> Directory:
    """Who is who: read once per dashboard."""
    departments = all_by_id(session)
    codes = {i: d.code for i, d in departments.items()}
    agents, agent_department = {}, {}
    for username, name, endpoint, department in session.execute(
        select(Agent.username, Agent.display_name, Agent.endpoint, Agent.department_id)
    ):
        interface = f"PJSIP/{endpoint}"
        agents[interface] = (username, name)
        if department in codes:
            agent_department[interface] = codes[department]
    queues, queue_department = {}, {}
    for name, title, department in session.execute(
        select(Queue.name, Queue.title, Queue.department_id)
    ):
        queues[name] = title
        if department in codes:
            queue_department[name] = codes[department]
    return Directory(
        agents,
        queues,
        {d.code: d.name for d in departments.values()},
        agent_department,
        queue_department,
    )
