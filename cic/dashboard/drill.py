"""The records behind a figure (drill-down): calls, reports, cases, residents, e-services,
announcements, incidents and warnings, newest first, with a Polish one-line summary and
the staff page that shows each.

Drill keys and their part filters are a fixed registry (``SOURCES``); a part that carries a
value (``kanal:email``, ``jrwa:1510``, ``kategoria:drogi``) is checked and then used only as
a bound parameter. The conditions are the measures' own (``filters``), so a list adds up
to its figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from cic.config import DashboardSettings
from cic.dashboard import drill_matters, drill_office
from cic.dashboard.drill_common import Ask, Rows
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.period import Period

#: Every drill-down key and the function listing its records.
Source = Callable[[Session, Ask], Rows]
SOURCES: dict[str, Source] = {
    "reports": drill_matters.reports,
    "reports.closed": drill_matters.reports_closed,
    "cases": drill_matters.cases,
    "cases.closed": drill_matters.cases_closed,
    "residents": drill_office.residents,
    "eservices": drill_office.eservices,
    "announcements": drill_office.announcements,
    "incidents": drill_office.incidents,
    "warnings": drill_office.warnings,
    "calls": drill_matters.calls,
}


def drill(
    session: Session,
    key: str,
    period: Period,
    part: str | None = None,
    limit: int = 50,
    offset: int = 0,
    settings: DashboardSettings | None = None,
    extra: Mapping[str, Source] | None = None,
) -> Rows:
    """The records behind the drill key ``key`` (``part``: one part's filter) for ``period``:
    one page of rows and how many there are. :class:`UnknownMeasure` for an unknown key or
    part. ``extra`` adds the drill-downs of other sections (the contact centre's)."""
    source = SOURCES.get(key) or (extra or {}).get(key)
    if source is None:
        raise UnknownMeasure()
    return source(session, Ask(period, part, limit, offset, settings or DashboardSettings()))
