"""The portal's e-services catalogue ("karty usług"): public pages, no JavaScript.

GET /e-urzad/uslugi                      the catalogue: a search box and the cards by department
GET /e-urzad/uslugi/szukaj?q=            the console's Polish search, cards only
GET /e-urzad/uslugi/formularze/{name}    a blank form a card offers (an attachment)
GET /e-urzad/uslugi/{slug}               one card
"""

from __future__ import annotations

import mimetypes

from aiohttp import web

from cic.kb.catalogue import MAX_QUERY, ServiceCatalogue
from cic.kb.errors import ArticleNotFound
from cic.portal.render import page

SECTION = "uslugi"
DAY_NAMES = {"mon": "poniedziałek", "tue": "wtorek", "wed": "środa", "thu": "czwartek",
             "fri": "piątek", "sat": "sobota", "sun": "niedziela"}  # fmt: skip
FORM_TYPES = {".pdf": "application/pdf", ".odt": "application/vnd.oasis.opendocument.text",
              ".rtf": "application/rtf", ".txt": "text/plain; charset=utf-8"}  # fmt: skip


def _not_found(request: web.Request, what: str) -> web.Response:
    return page(request, "uslugi_brak.html", status=404, section=SECTION, what=what)


def routes(catalogue: ServiceCatalogue) -> list[web.RouteDef]:
    """The catalogue's pages over ``catalogue``."""

    async def index(request: web.Request) -> web.StreamResponse:
        groups = await catalogue.grouped()
        return page(request, "uslugi.html", section=SECTION, groups=groups, q="")

    async def search(request: web.Request) -> web.StreamResponse:
        q = request.query.get("q", "").strip()[:MAX_QUERY]
        hits = await catalogue.search(q)
        ready = catalogue.kb.ready
        return page(request, "uslugi_szukaj.html", section=SECTION, q=q, hits=hits, ready=ready)

    async def card(request: web.Request) -> web.StreamResponse:
        try:
            found = await catalogue.card(request.match_info["slug"])
        except ArticleNotFound:
            return _not_found(request, "karty usługi")
        hours = None
        if found.hours is not None:
            hours = [(DAY_NAMES[d], ", ".join(s).replace("-", "–"))
                     for d in DAY_NAMES if (s := found.hours.get(d))]  # fmt: skip
        return page(request, "usluga.html", section=SECTION, card=found, hours=hours)

    async def form(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = await catalogue.form_path(name)
        if path is None:
            return _not_found(request, "formularza")
        kind = FORM_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0]
        response = web.FileResponse(path)
        response.headers["Content-Type"] = kind or "application/octet-stream"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return [
        web.get("/e-urzad/uslugi", index),
        web.get("/e-urzad/uslugi/szukaj", search),
        web.get("/e-urzad/uslugi/formularze/{name}", form),
        web.get("/e-urzad/uslugi/{slug}", card),
    ]
