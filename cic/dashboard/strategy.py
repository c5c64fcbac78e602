"""The success measures of the office's IT strategy (section 7), in the strategy's order.

Each measure is a function ``(session, period) -> Figure`` computing the period and the one
before it; :class:`Measures` binds the settings they need and finds one by its key. The
measures themselves live in ``strategy_matters`` (complaints, handling time, electronic
matters), ``strategy_office`` (e-services, clients), ``strategy_portal`` (announcements,
visits) and ``strategy_safety`` (incidents and warnings).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from cic.config import DashboardSettings
from cic.dashboard import strategy_matters, strategy_office, strategy_portal, strategy_safety
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.period import Period
from cic.dashboard.schemas import Figure

STRATEGY_TITLE = "Mierniki sukcesu strategii"
Measure = Callable[[Session, Period], Figure]


class Measures:
    """The strategy's measures with their settings bound, by key, in the strategy's order."""

    def __init__(self, settings: DashboardSettings, portal_enabled: bool) -> None:
        """Bind the complaint definitions and whether the portal (its visits) is on."""
        self.by_key: dict[str, Measure] = {
            "strategy.complaints": partial(strategy_matters.complaints, settings=settings),
            "strategy.handling_time": strategy_matters.handling_time,
            "strategy.eservices": strategy_office.eservices,
            "strategy.clients": strategy_office.clients,
            "strategy.electronic": strategy_matters.electronic,
            "strategy.announcements": strategy_portal.announcements,
            "strategy.portal_visits": partial(
                strategy_portal.portal_visits, enabled=portal_enabled
            ),
            "strategy.incidents": strategy_safety.incidents,
            "strategy.warnings": strategy_safety.warnings_sent,
        }

    def knows(self, key: str) -> bool:
        """Whether ``key`` is one of the strategy's measures."""
        return key in self.by_key

    def one(self, session: Session, key: str, period: Period) -> Figure:
        """The measure ``key`` for ``period``; :class:`UnknownMeasure` if there is none."""
        measure = self.by_key.get(key)
        if measure is None:
            raise UnknownMeasure()
        return measure(session, period)

    def all(self, session: Session, period: Period) -> tuple[Figure, ...]:
        """Every measure for ``period``, in the strategy's order."""
        return tuple(measure(session, period) for measure in self.by_key.values())
