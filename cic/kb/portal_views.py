"""The portal's e-services catalogue ("karty usług"): public pages, no JavaScript.

GET /e-urzad/uslugi                      the catalogue: a search box and the cards by department
GET /e-urzad/uslugi/szukaj?q=            the console's Polish search, cards only
GET /e-urzad/uslugi/formularze/{name}    a blank form a card offers (an attachment)
GET /e-urzad/uslugi/{slug}               one card
"""

from __future__ import annotations

import mimetypes

from aiohttp import web

from cic.http.endpoint import documented
from cic.kb.catalogue import MAX_QUERY, ServiceCatalogue
from cic.kb.errors import ArticleNotFound
from cic.portal.errors import PortalNotFound
from cic.portal.render import page

SECTION = "uslugi"
DAY_NAMES = {"mon": "poniedziałek", "tue": "wtorek", "wed": "środa", "thu": "czwartek",
             "fri": "piątek", "sat": "sobota", "sun": "niedziela"}  # fmt: skip
FORM_TYPES = {".pdf": "application/pdf", ".odt": "application/vnd.oasis.opendocument.text",
              ".rtf": "application/rtf", ".txt": "text/plain; charset=utf-8"}  # fmt: skip


def routes(catalogue: ServiceCatalogue) -> list[web.RouteDef]:
    """The catalogue's pages over ``catalogue``."""

    @documented("Portal: katalog e-usług (karty usług z bazy wiedzy) z wyszukiwarką")
    async def index(request: web.Request) -> web.StreamResponse:
        groups = await catalogue.grouped()
        return page(request, "uslugi.html", section=SECTION, groups=groups, q="")

    @documented(
        "Portal: wyszukiwanie usług (to samo polskie wyszukiwanie co w konsoli, tylko karty)",
        description="Parametr q (do 200 znaków). Działa bez JavaScriptu.",
    )
    async def search(request: web.Request) -> web.StreamResponse:
        q = request.query.get("q", "").strip()[:MAX_QUERY]
        hits = await catalogue.search(q)
        ready = catalogue.kb.ready
        return page(request, "uslugi_szukaj.html", section=SECTION, q=q, hits=hits, ready=ready)

    @documented("Portal: karta usługi (bieżąca wersja artykułu z kartą)", errors=(404,))
    async def card(request: web.Request) -> web.StreamResponse:
        try:
            found = await catalogue.card(request.match_info["slug"])
        except ArticleNotFound as exc:
            raise PortalNotFound("Nie ma takiej karty usługi. Wróć do listy usług.") from exc
        hours = None
        if found.hours is not None:
            hours = [(DAY_NAMES[d], ", ".join(s).replace("-", "–"))
                     for d in DAY_NAMES if (s := found.hours.get(d))]  # fmt: skip
        return page(request, "usluga.html", section=SECTION, card=found, hours=hours)

    @documented(
        "Portal: formularz do pobrania, wskazany w karcie usługi (załącznik)",
        errors=(404,), media="application/vnd.oasis.opendocument.text",
    )  # fmt: skip
    async def form(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = await catalogue.form_path(name)
        if path is None:
            raise PortalNotFound("Nie ma takiego formularza. Wróć do karty usługi.")
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
