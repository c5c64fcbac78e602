"""The public pages of announcements and their feeds (no sign-in, no cookie, no script).

GET /e-urzad/ogloszenia                      the list, newest first (?kategoria=, ?solectwo=,
                                             ?strona=)
GET /e-urzad/ogloszenia/{ref}                one announcement (``<id>-<slug>``; another
                                             slug: moved there)
GET /e-urzad/ogloszenia/rss.xml              RSS 2.0 (?kategoria=)
GET /e-urzad/ogloszenia/atom.xml             Atom 1.0 (?kategoria=)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cic.announcements.errors import AnnouncementNotFound
from cic.announcements.feeds import MEDIA, Kind, feed
from cic.announcements.present import polish_date
from cic.announcements.service import AnnouncementService, Category
from cic.http.endpoint import documented
from cic.http.json_api import whole_number
from cic.portal.render import page

LIST = "/e-urzad/ogloszenia"
FEED_ITEMS = 30


@dataclass(frozen=True)
class PublicSection:
    """What the public pages need: the service, the office's time zone, the portal's public
    address (feeds carry absolute links) and the office's name."""

    service: AnnouncementService
    zone: str
    base: str
    office: str


def feed_links(category: Category | None) -> list[tuple[str, str, str]]:
    """The ``<link rel="alternate">`` of a page: (media type, title, href)."""
    query = f"?{urlencode({'kategoria': category.slug})}" if category else ""
    label = f"Ogłoszenia – {category.name}" if category else "Ogłoszenia"
    return [
        (MEDIA["rss"], f"{label} (RSS)", f"{LIST}/rss.xml{query}"),
        (MEDIA["atom"], f"{label} (Atom)", f"{LIST}/atom.xml{query}"),
    ]


def routes(section: PublicSection) -> list[web.RouteDef]:
    """The public pages and feeds."""
    service = section.service

    def date(when: Any) -> str:
        return polish_date(when, section.zone)

    async def chosen(request: web.Request) -> tuple[list[Category], Category | None]:
        categories = await service.categories()
        slug = request.query.get("kategoria", "")
        return categories, next((c for c in categories if c.slug == slug), None)

    @documented("Ogłoszenia urzędu: lista z filtrem kategorii i sołectwa (strona HTML)")
    async def listing(request: web.Request) -> web.StreamResponse:
        categories, category = await chosen(request)
        solectwo = request.query.get("solectwo", "")
        solectwo = solectwo if solectwo in service.solectwa else ""
        number = whole_number(request.query.get("strona"), 1, 10_000) or 1
        found = await service.public_page(
            category=category.slug if category else "", solectwo=solectwo, page=number
        )
        filters = {k: v for k, v in (("kategoria", category.slug if category else ""),
                                      ("solectwo", solectwo)) if v}  # fmt: skip

        def page_link(n: int) -> str:
            return f"{LIST}?{urlencode({**filters, 'strona': str(n)})}"

        return page(
            request, "ogloszenia.html", section="ogloszenia", found=found,
            categories=categories, category=category, solectwa=service.solectwa,
            solectwo=solectwo, feeds=feed_links(category), page_link=page_link, date=date,
        )  # fmt: skip

    @documented("Jedno ogłoszenie (strona HTML)", errors=(404,), also={301: "adres kanoniczny"})
    async def one(request: web.Request) -> web.StreamResponse:
        digits, _, slug = request.match_info["ref"].partition("-")
        number = whole_number(digits, 1, 2**31 - 1)
        try:
            if number is None:
                raise AnnouncementNotFound()
            item = await service.public_one(number)
        except AnnouncementNotFound:
            return page(
                request, "ogloszenia_komunikat.html", status=404, section="ogloszenia",
                heading="Nie ma takiego ogłoszenia",
                text="Ogłoszenie zostało wycofane, wygasło albo adres jest błędny.",
            )  # fmt: skip
        if slug != item.slug:
            raise web.HTTPMovedPermanently(item.path)
        return page(
            request, "ogloszenie.html", section="ogloszenia", item=item, date=date,
            feeds=feed_links(None),
        )  # fmt: skip

    def feed_view(kind: Kind) -> Any:
        @documented(f"Ogłoszenia jako kanał {'RSS 2.0' if kind == 'rss' else 'Atom'}",
                    media=MEDIA[kind], errors=(404,))  # fmt: skip
        async def view(request: web.Request) -> web.StreamResponse:
            _, category = await chosen(request)
            if request.query.get("kategoria") and category is None:
                raise web.HTTPNotFound(text="Nie ma takiej kategorii.")
            slug = category.slug if category else ""
            items = await service.latest(FEED_ITEMS, category=slug)
            query = f"?{urlencode({'kategoria': slug})}" if slug else ""
            title = f"Ogłoszenia – {category.name}" if category else "Ogłoszenia"
            body = feed(
                kind, items, title=f"{title} – {section.office}", base=section.base,
                page=f"{section.base}{LIST}{query}",
                self_url=f"{section.base}{LIST}/{kind}.xml{query}",
                description=f"Ogłoszenia i komunikaty: {section.office}",
            )  # fmt: skip
            return web.Response(body=body, content_type=MEDIA[kind], charset="utf-8")

        return view

    return [
        web.get(LIST, listing),
        web.get(LIST + "/rss.xml", feed_view("rss")),
        web.get(LIST + "/atom.xml", feed_view("atom")),
        web.get(LIST + r"/{ref:\d{1,10}-[a-z0-9-]{0,100}}", one),
    ]
