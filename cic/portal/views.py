"""The portal's own pages: the home page, the accessibility statement and the privacy note.

GET /e-urzad            -> /e-urzad/
GET /e-urzad/           the home page: every section, what it is for
GET /e-urzad/dostepnosc the accessibility statement (ustawa o dostępności cyfrowej, art. 10)
GET /e-urzad/prywatnosc what the portal keeps about its visitors (nothing that identifies them)
"""

from __future__ import annotations

import logging

from aiohttp import web

from cic.http.endpoint import documented
from cic.portal.render import page
from cic.portal.site import HOME_NEWS, HomeItem

log = logging.getLogger(__name__)


def routes() -> list[web.RouteDef]:
    """The shared pages."""

    @documented("Portal mieszkańca: adres bez ukośnika prowadzi na stronę główną", status=301)
    async def to_home(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/e-urzad/")

    @documented("Portal mieszkańca (e-urząd): strona główna, bez logowania")
    async def home(request: web.Request) -> web.StreamResponse:
        news: list[HomeItem] = []
        if HOME_NEWS in request.app:
            try:
                news = await request.app[HOME_NEWS]()
            except Exception:  # the home page is shown without news rather than not at all
                log.warning("portal: the newest announcements could not be read", exc_info=True)
        return page(request, "home.html", news=news)

    @documented("Portal mieszkańca: deklaracja dostępności")
    async def accessibility(request: web.Request) -> web.StreamResponse:
        return page(request, "dostepnosc.html")

    @documented("Portal mieszkańca: co strona zapisuje o odwiedzających (nic, co ich rozpoznaje)")
    async def privacy(request: web.Request) -> web.StreamResponse:
        return page(request, "prywatnosc.html")

    return [
        web.get("/e-urzad", to_home),
        web.get("/e-urzad/", home),
        web.get("/e-urzad/dostepnosc", accessibility),
        web.get("/e-urzad/prywatnosc", privacy),
    ]
