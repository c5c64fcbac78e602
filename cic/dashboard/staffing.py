"""The first line's staffing forecast, hour by hour, from what the period showed.

For each hour of a chosen weekday (or of the period's average day): the observed arrival
rate, i.e. calls offered to ``office.first_line_queue`` that entered in that local hour,
divided by the number of matching days in the period; the handling time (AHT: talk time plus
``office.wrapup_seconds``) of the first line's answered calls in the period; from both, with
Erlang C, the agents needed to answer ``dashboard.service_level_target`` % of calls within
``office.service_level_seconds`` s at occupancy at most ``dashboard.max_occupancy`` %. Beside
it the agents that were logged in to the first line that hour, averaged over the matching
days (time-weighted from ``agent_presence_log``: an agent logged in for half the hour counts
as 0.5), and the live count now when the caller passes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.agents.models import AgentPresenceLog, Queue, QueueMembership
from cic.agents.presence import State
from cic.agents.service import AgentService
from cic.calls.models import Call
from cic.config import DashboardSettings, OfficeSettings
from cic.dashboard import erlang
from cic.dashboard.centre_calls import handled, in_period, offered
from cic.dashboard.period import Period

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class HourForecast:
    """One local hour: calls per hour, the agents needed, the agents there were."""

    hour: int
    calls_per_hour: float
    needed: erlang.Need | None  # None when the handling time is not known
    logged_in: float | None  # None when no login history is kept for the period


@dataclass(frozen=True)
class Forecast:
    """The forecast of a weekday (0 = Monday) or of the average day (``weekday`` None)."""

    weekday: int | None
    days: int
    aht_seconds: float | None
    target_share: float
    target_seconds: int
    max_occupancy: float
    hours: tuple[HourForecast, ...]
    live: int | None = None


def logged_in_now(agents: AgentService, queue: str) -> int:
    """How many agents of ``queue`` are logged in right now (the presence service)."""
    return sum(
        1
        for agent in agents.agents()
        if any(name == queue for name, _ in agent.queues)
        and agents.state(agent.username) is not State.OFFLINE
    )


def _days(period: Period, weekday: int | None) -> list[date]:
    return [d for d in period.day_list() if weekday is None or d.weekday() == weekday]


def _arrivals(session: Session, period: Period, queue: str, days: set[date]) -> list[int]:
    zone, counts = ZoneInfo(period.zone), [0] * 24
    stmt = select(Call.entered_at).where(in_period(period), offered(), Call.queue == queue)
    for at in session.scalars(stmt):
        local = at.astimezone(zone) if at is not None else None
        if local is not None and local.date() in days:
            counts[local.hour] += 1
    return counts


def _aht(session: Session, period: Period, queue: str, wrapup: int) -> float | None:
    count, talk = session.execute(
        select(func.count(), func.sum(Call.talk_seconds)).where(
            in_period(period), handled(), Call.queue == queue
        )
    ).one()
    return None if not count else float(talk or 0) / count + wrapup


def _intervals(
    session: Session, queue: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]] | None:
    """Logged-in spans of the queue's agents clipped to ``[start, end)``; ``None`` when no
    login was ever recorded before ``end`` (the history did not exist yet)."""
    members = select(QueueMembership.agent_id).join(Queue).where(Queue.name == queue)
    rows = session.execute(
        select(AgentPresenceLog.agent_id, AgentPresenceLog.at, AgentPresenceLog.logged_in)
        .where(AgentPresenceLog.at < end)
        .order_by(AgentPresenceLog.agent_id, AgentPresenceLog.at, AgentPresenceLog.id)
    ).all()
    if not rows:
        return None
    wanted = set(session.scalars(members))
    since: dict[int, datetime] = {}
    spans: list[tuple[datetime, datetime]] = []
    for agent, at, logged_in in rows:
        if agent not in wanted:
            continue
        if logged_in:
            since.setdefault(agent, at)
        elif agent in since:
            spans.append((since.pop(agent), at))
    spans += [(at, end) for at in since.values()]
    return [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]


def _presence(
    spans: list[tuple[datetime, datetime]], period: Period, days: set[date]
) -> list[float]:
    """Logged-in agent-hours per local hour over ``days``."""
    zone, hours = ZoneInfo(period.zone), defaultdict[int, float](float)
    for begin, finish in spans:
        slot = begin.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        while slot < finish:
            overlap = (min(finish, slot + HOUR) - max(begin, slot)).total_seconds()
            local = slot.astimezone(zone)
            if overlap > 0 and local.date() in days:
                hours[local.hour] += overlap / 3600
            slot += HOUR
    return [hours[h] for h in range(24)]


def forecast(
    session: Session,
    period: Period,
    dashboard: DashboardSettings,
    office: OfficeSettings,
    weekday: int | None = None,
    live: int | None = None,
    now: datetime | None = None,
) -> Forecast:
    """The first line's forecast for ``weekday`` (0 = Monday; ``None``: every day); a login
    still open counts until ``now`` (the current time when not given)."""
    queue = office.first_line_queue
    days = _days(period, weekday)
    wanted = set(days)
    start, end = period.bounds()
    arrivals = _arrivals(session, period, queue, wanted)
    aht = _aht(session, period, queue, office.wrapup_seconds)
    spans = _intervals(session, queue, start, min(end, now or datetime.now(UTC)))
    present = None if spans is None else _presence(spans, period, wanted)
    share, occupancy = dashboard.service_level_target / 100, dashboard.max_occupancy / 100
    hours = []
    for hour in range(24):
        rate = arrivals[hour] / len(days) if days else 0.0
        need = None if aht is None else erlang.agents_needed(
            rate, aht, share, office.service_level_seconds, occupancy
        )  # fmt: skip
        seen = None if present is None or not days else round(present[hour] / len(days), 2)
        hours.append(HourForecast(hour, round(rate, 2), need, seen))
    return Forecast(
        weekday, len(days), None if aht is None else round(aht, 1), share,
        office.service_level_seconds, occupancy, tuple(hours), live,
    )  # fmt: skip
