"""The contact centre's figures for a period, each against the previous period.

Every figure is read off sums made in SQL (one grouped query over the period's calls, one
over their topics, one over the callback requests, one more grouped by UTC hour for
the charts), so a month of 100,000 calls costs a handful of queries, not a loop over calls;
only first-contact resolution, which matches residents across channels by number, address
and record, is worked out in Python
(:mod:`cic.dashboard.centre_fcr`). What each figure counts is in its description (Polish,
shown on the dashboard) and in :mod:`cic.dashboard.centre_calls`.

Handling time (AHT) is the talk time Asterisk measured (``calls.talk_seconds``) plus the
after-call period ``office.wrapup_seconds`` during which the queue offers the agent no call;
the time an agent takes to save the wrap-up form is not measured (it may be saved later or
edited), so it is not added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call
from cic.config import DashboardSettings, OfficeSettings
from cic.dashboard import centre_calls as calls
from cic.dashboard.centre_calls import Sums
from cic.dashboard.centre_fcr import CHANNEL_LABELS, FcrSums, first_contact, total
from cic.dashboard.centre_measures import measures
from cic.dashboard.centre_parts import Measure, share
from cic.dashboard.centre_topics import call_topics
from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure

SECTION, TITLE = "centre", "Centrum obsługi"
NO_DEPARTMENT = "-"
CLOSED_CALLBACKS = ("done", "failed", "cancelled")


@dataclass
class CallbackSums:
    """Callback requests of a period by how they were closed."""

    done: int = 0
    failed: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class _Data:
    """Everything one period's figures are read from."""

    by_agent_queue: dict[tuple[str, str], Sums]
    by_topic: dict[str, Sums]
    callbacks: dict[str, CallbackSums]
    fcr: dict[str, FcrSums]

    def by(self, key: Callable[[str, str], str]) -> dict[str, Sums]:
        """The call sums added up by ``key(agent, queue)``."""
        return calls.grouped(self.by_agent_queue, key)

    @property
    def total(self) -> Sums:
        """All the period's call sums."""
        return calls.total(self.by_agent_queue.values())


def _topic_sums(session: Session, period: Period) -> dict[str, Sums]:
    topic = call_topics()
    rows = session.execute(
        select(topic.c.topic, func.count(), func.sum(Call.talk_seconds))
        .join(Call, Call.call_id == topic.c.call_id)
        .where(calls.in_period(period), calls.handled())
        .group_by(topic.c.topic)
    )
    return {name: Sums(handled=n, talk_total=float(talk or 0)) for name, n, talk in rows}


def _callback_sums(session: Session, period: Period) -> dict[str, CallbackSums]:
    start, end = period.bounds()
    out: dict[str, CallbackSums] = {}
    for queue, status, n in session.execute(
        select(CallbackRequest.queue, CallbackRequest.status, func.count())
        .where(CallbackRequest.requested_at >= start, CallbackRequest.requested_at < end)
        .where(CallbackRequest.status.in_(CLOSED_CALLBACKS))
        .group_by(CallbackRequest.queue, CallbackRequest.status)
    ):
        setattr(out.setdefault(queue, CallbackSums()), status, n)
    return out


def _read(
    session: Session, period: Period, office: OfficeSettings, fcr: dict[str, FcrSums]
) -> _Data:
    return _Data(
        calls.sums_by_agent_and_queue(session, period, office.service_level_seconds),
        _topic_sums(session, period),
        _callback_sums(session, period),
        fcr,
    )


def figures(
    session: Session, period: Period, dashboard: DashboardSettings, office: OfficeSettings
) -> tuple[Figure, ...]:
    """The contact centre's figures for ``period`` against the period before it."""
    previous = period.previous()
    fcr_now, fcr_before = first_contact(session, (period, previous), dashboard.fcr_days)
    now = _read(session, period, office, fcr_now)
    before = _read(session, previous, office, fcr_before)
    who = calls.directory(session)
    m = measures(office)

    def department(agent: str, queue: str) -> str:
        return who.department_of(agent, queue) or NO_DEPARTMENT

    def agent(name: str, _queue: str) -> str:
        return who.agent_key(name)

    def queue(_agent: str, name: str) -> str:
        return name

    queues = (now.by(queue), before.by(queue))
    departments = (now.by(department), before.by(department))
    agents = (now.by(agent), before.by(agent))
    queue_names = who.queues
    department_names = {**who.departments, NO_DEPARTMENT: "bez komórki"}
    agent_names = {username: name for username, name in who.agents.values()}
    total, earlier = now.total, before.total
    daily = calls.sums_by_day(session, period, office.service_level_seconds)
    return (
        m["service_level"].figure(total, earlier, queues, queue_names, "kolejka", daily),
        m["abandonment"].figure(total, earlier, queues, queue_names, "kolejka", daily),
        m["asa"].figure(total, earlier, queues, queue_names, "kolejka", daily),
        m["aht_topic"].figure(total, earlier, (now.by_topic, before.by_topic), {}, "temat"),
        m["aht_department"].figure(total, earlier, departments, department_names, "komorka", daily),
        m["transfer_rate"].figure(total, earlier, departments, department_names, "komorka", daily),
        _callback_figure(now.callbacks, before.callbacks, queue_names),
        _fcr_figure(now.fcr, before.fcr, dashboard.fcr_days),
        m["agents"].figure(total, earlier, agents, agent_names, "konsultant"),
        m["aht_agent"].figure(total, earlier, agents, agent_names, "konsultant"),
        m["transfer_agent"].figure(total, earlier, agents, agent_names, "konsultant"),
        m["departments"].figure(total, earlier, departments, department_names, "komorka", daily),
    )


def _callback_figure(
    now: dict[str, CallbackSums], before: dict[str, CallbackSums], names: dict[str, str]
) -> Figure:
    def closed(s: CallbackSums) -> int:
        return s.done + s.failed + s.cancelled

    def add(rows: dict[str, CallbackSums]) -> CallbackSums:
        out = CallbackSums()
        for s in rows.values():
            out.done, out.failed, out.cancelled = (
                out.done + s.done, out.failed + s.failed, out.cancelled + s.cancelled
            )  # fmt: skip
        return out

    measure: Measure[CallbackSums] = Measure(
        "centre.callback_success", "Skuteczne oddzwonienia", "%",
        lambda s: share(s.done, closed(s)), closed,
        "Odsetek zamkniętych próśb o oddzwonienie (złożonych w okresie), w których dodzwoniono "
        "się do mieszkańca; nieudane po wszystkich próbach i zamknięte przez kierownika liczą "
        "się jako niedodzwonione, prośby jeszcze otwarte się nie liczą.",
        True, "callbacks.closed",
    )  # fmt: skip
    return measure.figure(add(now), add(before), (now, before), names, "kolejka")


def _fcr_figure(now: dict[str, FcrSums], before: dict[str, FcrSums], days: int) -> Figure:
    measure: Measure[FcrSums] = Measure(
        "centre.fcr", "Sprawy załatwione przy pierwszym kontakcie", "%",
        lambda s: share(s.resolved, s.contacts), lambda s: s.contacts,
        "Odsetek kontaktów (odebranych połączeń z tematem i zgłoszeń z każdego kanału), po "
        f"których ten sam mieszkaniec (ten sam numer, e-mail lub kartoteka) nie zgłosił się w "
        f"tym samym temacie w ciągu {days} dni żadnym kanałem. Kontakty bez numeru i adresu "
        "się nie liczą; zgłoszenie spisane w trakcie rozmowy to ten sam kontakt.",
        True, "contacts",
    )  # fmt: skip
    return measure.figure(total(now), total(before), (now, before), CHANNEL_LABELS, "kanal")


def provider(
    dashboard: DashboardSettings, office: OfficeSettings
) -> Callable[[Session, Period], tuple[Figure, ...]]:
    """:func:`figures` with the settings bound: the dashboard service's provider
    ``(SECTION, TITLE, provider(settings.dashboard, settings.office))``."""

    def provide(session: Session, period: Period) -> tuple[Figure, ...]:
        return figures(session, period, dashboard, office)

    return provide
