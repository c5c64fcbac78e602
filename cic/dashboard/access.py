"""Who may read the dashboard: the management, supervisors and admins, every figure; nobody
else any. The records behind a figure (residents' calls, reports and cases: personal data)
only supervisors and admins; the service refuses anyone else and writes the refusal to the
audit log. The views check the role too; this is the service-side check on every call, so a
route added later without its guard still refuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from cic.auth.actor import Actor
from cic.auth.errors import Forbidden
from cic.auth.sessions import CurrentUser
from cic.dashboard.heatmap import Heatmap
from cic.dashboard.period import Period
from cic.dashboard.schemas import DrillRow, Figure, Section
from cic.dashboard.staffing import Forecast

READERS = ("supervisor", "management", "admin")
#: Who may list the records behind a figure (they hold residents' personal data).
RECORD_READERS = ("supervisor", "admin")
#: The contact centre's heat map and the first line's staffing forecast for a period and a
#: weekday (0 = Monday; None: the average day).
CentreLoad = Callable[[Period, int | None], Awaitable[tuple[Heatmap, Forecast]]]


class Measures(Protocol):
    """What the dashboard's service answers (``cic.dashboard.service.DashboardService``)."""

    async def report(self, period: Period) -> tuple[Section, ...]:
        """Every section with its figures for ``period``."""
        ...

    async def figure(self, key: str, period: Period) -> Figure:
        """One figure (``UnknownMeasure`` for a key there is not)."""
        ...

    async def drill(
        self, key: str, period: Period, part: str | None, limit: int, offset: int, *,
        actor: Actor | None = None,
    ) -> tuple[list[DrillRow], int]:  # fmt: skip
        """A page of the records behind a drill-down key (a figure's or a part's ``drill``;
        ``part`` the part's key, None for the whole figure) and their count; refused (and
        audited) for an ``actor`` who may not read them."""
        ...


class DashboardReader:
    """The measures for one user at a time: refuses anyone not in ``READERS``."""

    def __init__(self, measures: Measures, centre: CentreLoad | None = None) -> None:
        self.measures = measures
        self.centre_load = centre

    @staticmethod
    def check(user: CurrentUser | None) -> None:
        """Raise :class:`Forbidden` unless ``user`` may read the dashboard."""
        if user is None or user.role not in READERS:
            raise Forbidden(
                "Wskaźniki widzi kierownictwo urzędu, kierownik zmiany i administrator."
            )

    async def report(self, user: CurrentUser | None, period: Period) -> tuple[Section, ...]:
        """Every section for ``period``, if ``user`` may read them."""
        self.check(user)
        return await self.measures.report(period)

    async def figure(self, user: CurrentUser | None, key: str, period: Period) -> Figure:
        """One figure for ``period``, if ``user`` may read it."""
        self.check(user)
        return await self.measures.figure(key, period)

    async def drill(
        self, user: CurrentUser | None, key: str, period: Period, part: str | None, limit: int,
        offset: int,
    ) -> tuple[list[DrillRow], int]:  # fmt: skip
        """A page of the records behind drill-down ``key``, if ``user`` may read them."""
        self.check(user)
        assert user is not None  # check() refused nobody signed in
        actor = Actor(user.username, user.role)
        return await self.measures.drill(key, period, part, limit, offset, actor=actor)

    @staticmethod
    def may_list_records(user: CurrentUser | None) -> bool:
        """True when ``user`` may open the records behind a figure (supervisors, admins)."""
        return user is not None and user.role in RECORD_READERS

    async def centre(
        self, user: CurrentUser | None, period: Period, weekday: int | None
    ) -> tuple[Heatmap, Forecast] | None:
        """The heat map and the staffing forecast, if ``user`` may read them (None when the
        application has no contact centre to show)."""
        self.check(user)
        if self.centre_load is None:
            return None
        return await self.centre_load(period, weekday)
