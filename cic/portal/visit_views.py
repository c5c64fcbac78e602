"""The portal's page views for the office's success measures (staff only).

GET /api/portal/odwiedziny?from=RRRR-MM-DD&to=RRRR-MM-DD   views per day and the top pages
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiohttp import web
from pydantic import Field

from cic.auth.roles import require
from cic.db import Store
from cic.http.endpoint import documented
from cic.http.schemas import IsoDate, Query, read_query
from cic.portal.errors import PortalError
from cic.portal.visits import VisitCounter, daily_views

MAX_DAYS = 400


class ViewsQuery(Query):
    """The period (both ends included; default: the last 30 days)."""

    since: IsoDate = Field("", alias="from", title="Od")
    until: IsoDate = Field("", alias="to", title="Do")


def routes(store: Store, counter: VisitCounter) -> list[web.RouteDef]:
    """The staff endpoint of the page views."""

    @documented(
        "Odwiedziny portalu mieszkańca: wyświetlenia stron dziennie i najczęściej oglądane strony"
        " (bez danych odwiedzających)",
        query=ViewsQuery, errors=(400, 403),
    )  # fmt: skip
    @require("supervisor", "editor")
    async def views(request: web.Request) -> web.StreamResponse:
        query = read_query(request, ViewsQuery, PortalError)
        until = date.fromisoformat(query.until) if query.until else date.today()
        since = date.fromisoformat(query.since) if query.since else until - timedelta(days=29)
        if since > until or (until - since).days > MAX_DAYS:
            raise PortalError(f"Okres: od nie później niż do, najwyżej {MAX_DAYS} dni.")
        summary: dict[str, Any] = await daily_views(store, since, until)
        summary["not_yet_written"] = counter.pending
        return web.json_response(summary)

    return [web.get("/api/portal/odwiedziny", views)]
