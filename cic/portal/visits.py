"""Daily page views of the portal, counted on the server without tracking anyone.

A page shown (a GET answered 200 under ``/e-urzad``) adds one to its path's count for the
day (in the office's time zone). Nothing about the visitor is read or kept: no cookie, no
address, no browser; robots that say so in their User-Agent are not counted. Counts gather
in memory and are added to ``portal_page_views`` every ``flush_seconds`` and at shutdown, so
a page view costs no database write; while the database is down they wait in memory.
Paths are counted as routed (a query string is never part of them), so a count can hold no
search words or other personal data; at most ``max_paths`` distinct paths a day are kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cic.db import Store
from cic.portal.models import PortalPageView

log = logging.getLogger(__name__)
ROBOTS = ("bot", "crawl", "spider", "slurp", "curl", "wget", "python-", "monitor")
MAX_PATH = 200


def is_robot(user_agent: str) -> bool:
    """True for a client that says it is a program (search engines, monitors, scripts)."""
    lowered = user_agent.lower()
    return not lowered or any(word in lowered for word in ROBOTS)


class VisitCounter:
    """Counts page views per (day, path) and adds them to the store in batches."""

    def __init__(
        self,
        store: Store,
        zone: str = "Europe/Warsaw",
        *,
        max_paths: int = 5000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``zone`` decides which day a view belongs to; ``clock`` is for tests."""
        self.store, self.zone, self.max_paths, self.clock = store, ZoneInfo(zone), max_paths, clock
        self._pending: Counter[tuple[date, str]] = Counter()

    def count(self, path: str) -> None:
        """One view of ``path`` now."""
        day = self.clock().astimezone(self.zone).date()
        key = (day, path[:MAX_PATH])
        if key not in self._pending and len(self._pending) >= self.max_paths:
            return
        self._pending[key] += 1

    def on_response(self, request: web.Request, response: web.StreamResponse) -> None:
        """Count ``request`` if it showed a portal page to a person."""
        if request.method != "GET" or response.status != 200:
            return
        if not response.content_type.startswith("text/html"):
            return
        if is_robot(request.headers.get("User-Agent", "")):
            return
        self.count(request.path)

    @property
    def pending(self) -> int:
        """Views counted but not yet in the store."""
        return sum(self._pending.values())

    async def flush(self) -> int:
        """Add the counted views to the store; returns how many. A failure keeps them for the
        next flush (and raises)."""
        batch, self._pending = self._pending, Counter()
        if not batch:
            return 0
        try:
            await self.store.run(lambda s: _add(s, batch))
        except BaseException:
            batch.update(self._pending)
            self._pending = batch
            raise
        return sum(batch.values())

    async def run(self, every: float) -> None:
        """Flush every ``every`` seconds for ever (a supervised loop); a failed flush is logged
        and its views kept for the next one."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.flush()
            except Exception:
                log.warning("portal: page views not written yet (%d waiting)", self.pending)


def _add(session: Session, batch: Counter[tuple[date, str]]) -> None:
    for (day, path), views in sorted(batch.items()):
        changed = session.execute(
            update(PortalPageView)
            .where(PortalPageView.day == day, PortalPageView.path == path)
            .values(views=PortalPageView.views + views)
        )
        if getattr(changed, "rowcount", 0) == 0:
            session.add(PortalPageView(day=day, path=path, views=views))
    session.commit()


async def daily_views(store: Store, since: date, until: date) -> dict[str, Any]:
    """Views per day and the most viewed pages between ``since`` and ``until`` (inclusive)."""

    def read(session: Session) -> dict[str, Any]:
        within = (PortalPageView.day >= since, PortalPageView.day <= until)
        days = session.execute(
            select(PortalPageView.day, func.sum(PortalPageView.views))
            .where(*within).group_by(PortalPageView.day).order_by(PortalPageView.day)
        ).all()  # fmt: skip
        pages = session.execute(
            select(PortalPageView.path, func.sum(PortalPageView.views).label("n"))
            .where(*within).group_by(PortalPageView.path)
            .order_by(func.sum(PortalPageView.views).desc(), PortalPageView.path).limit(20)
        ).all()  # fmt: skip
        return {
            "from": since.isoformat(), "to": until.isoformat(),
            "days": [{"day": d.isoformat(), "views": int(n)} for d, n in days],
            "total": sum(int(n) for _, n in days),
            "pages": [{"path": p, "views": int(n)} for p, n in pages],
        }  # fmt: skip

    return await store.run(read)
