"""The dashboard's service: the strategy's measures and the sections of other providers for a
period, one figure by its key, and the records behind a figure (drill-down).

Everything runs in the store's worker thread (``Store.run``), one transaction per request,
so the event loop is never blocked by the queries. Other measures plug in as providers:
``(key, title, figures)`` where ``figures(session, period)`` returns that section's figures
(the contact centre's service level, handling times, ...).

Drill-downs: a figure's records are ``drill(figure.drill, period)``; a part's are
``drill(part.drill, period, part=part.key)`` (the part's key is the filter); an empty
``drill`` means there are no records to list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial

from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.auth.refusals import record_refusal
from cic.config import DashboardSettings
from cic.dashboard import drill as drilldown
from cic.dashboard.errors import DrillRefused, UnknownMeasure
from cic.dashboard.period import Period
from cic.dashboard.period import parse as parse_period
from cic.dashboard.schemas import DrillRow, Figure, Section
from cic.dashboard.strategy import STRATEGY_TITLE, Measures
from cic.db import Store

FigureSource = Callable[[Session, Period], Sequence[Figure]]
#: A section from elsewhere: its key, its Polish title and the function giving its figures.
Provider = tuple[str, str, FigureSource]
STRATEGY_KEY = "strategia"
MAX_DRILL = 500


class DashboardService:
    """The figures of the dashboard for a period, computed from the store."""

    def __init__(
        self,
        store: Store,
        settings: DashboardSettings,
        office_zone: str,
        portal_enabled: bool,
        providers: Sequence[Provider] = (),
        drills: Mapping[str, drilldown.Source] | None = None,
    ) -> None:
        """Measures on ``store``; ``office_zone`` is the zone of the periods' days,
        ``portal_enabled`` whether the resident portal (and its page views) is on;
        ``providers`` add sections after the strategy's and ``drills`` their drill-downs
        (``key -> fn(session, Ask) -> (rows, total)``, see ``drill_common.Ask``)."""
        self.store = store
        self.settings = settings
        self.office_zone = office_zone
        self.measures = Measures(settings, portal_enabled)
        self.providers = tuple(providers)
        self.drills: Mapping[str, drilldown.Source] = drills or {}  # may resolve keys lazily

    def period(self, params: Mapping[str, str], today: date) -> Period:
        """The period the page asks for (``miesiac=`` or ``od=``/``do=``) in the office's zone;
        :class:`~cic.dashboard.errors.InvalidPeriod` with a Polish message otherwise."""
        return parse_period(dict(params), today, self.office_zone)

    def _sections(self, session: Session, period: Period) -> tuple[Section, ...]:
        strategy = Section(STRATEGY_KEY, STRATEGY_TITLE, self.measures.all(session, period))
        others = tuple(
            Section(k, t, tuple(figures(session, period))) for k, t, figures in self.providers
        )
        return (strategy, *others)

    async def report(self, period: Period) -> tuple[Section, ...]:
        """Every section of the dashboard for ``period``: the strategy's first."""
        return await self.store.run(partial(self._sections, period=period))

    def _figure(self, session: Session, key: str, period: Period) -> Figure:
        if self.measures.knows(key):
            return self.measures.one(session, key, period)
        for _, _, figures in self.providers:
            for figure in figures(session, period):
                if figure.key == key:
                    return figure
        raise UnknownMeasure()

    async def figure(self, key: str, period: Period) -> Figure:
        """One figure by its key (``strategy.complaints``); :class:`UnknownMeasure` if none."""
        return await self.store.run(partial(self._figure, key=key, period=period))

    async def drill(
        self,
        key: str,
        period: Period,
        part: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        actor: Actor | None = None,
    ) -> tuple[list[DrillRow], int]:
        """The records behind a figure or one of its parts, newest first, and their number.

        ``key`` is a figure's or part's ``drill``; for a part, ``part`` is the part's ``key``
        (the filter), for the whole figure None. :class:`UnknownMeasure` for an unknown key
        or part. The records are personal data: a signed-in ``actor`` who is not a
        supervisor or admin gets :class:`DrillRefused` (written to the audit log); None is
        cic itself (exports, tests).
        """
        if actor is not None and not actor.supervising:
            refused = DrillRefused()
            await record_refusal(self.store, actor, "dashboard", key, refused)
            raise refused
        limit, offset = max(1, min(limit, MAX_DRILL)), max(0, offset)
        run = partial(
            drilldown.drill,
            key=key,
            period=period,
            part=part,
            limit=limit,
            offset=offset,
            settings=self.settings,
            extra=self.drills,
        )
        return await self.store.run(run)
