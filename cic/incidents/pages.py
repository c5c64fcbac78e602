"""The staff pages of the safety system (agent, specialist, supervisor, admin).

GET  /bezpieczenstwo                         the map, the list beside it, filters, a new report
GET  /bezpieczenstwo/zgloszenia/{id}         one incident: history, links, status, merge
POST /bezpieczenstwo/zgloszenia/{id}/stan    change the status or priority (HTML form) → 303
POST /bezpieczenstwo/zgloszenia/{id}/polacz  merge it into another incident (HTML form) → 303
GET  /bezpieczenstwo/kategorie               the threat catalogue (supervisor, admin edit it)
POST /bezpieczenstwo/kategorie               save a category (HTML form) → 303
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from aiohttp import web
from yarl import URL

from cic.auth.roles import require
from cic.auth.templates import html, render
from cic.config import SafetySettings
from cic.http.endpoint import documented
from cic.http.json_api import form_fields, path_id, whole_number
from cic.incidents.api_views import actor_of
from cic.incidents.errors import CategoryInvalid, IncidentError
from cic.incidents.geo import centre
from cic.incidents.layers import layers_of
from cic.incidents.service import STAFF, CategoryDraft, IncidentService
from cic.incidents.workflow import PRIORITIES, SOURCES, STATUSES, next_statuses

BASE = "/bezpieczenstwo"


def map_config(settings: SafetySettings) -> str:
    """The map's settings for the page's script (JSON, safe inside a script element)."""
    lat, lon = centre(settings.area)
    data = {"tiles": settings.tiles_url, "attribution": settings.tiles_attribution,
            "centre": [lat, lon], "area": settings.area}  # fmt: skip
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def routes(service: IncidentService, settings: SafetySettings, zone: str) -> list[web.RouteDef]:
    """The staff pages."""
    tz = ZoneInfo(zone)

    @documented("Mapa bezpieczeństwa: zgłoszenia zagrożeń na mapie i na liście (strona HTML)",
                errors=(401, 403))  # fmt: skip
    @require(*STAFF)
    async def map_page(request: web.Request) -> web.StreamResponse:
        categories = await service.categories()
        layers = [{"id": x.id, "name": x.name, "url": x.url} for x in layers_of(request.app)]
        return html(render(
            request, "bezpieczenstwo.html", categories=categories, statuses=STATUSES,
            priorities=PRIORITIES, config=map_config(settings),
            layers=json.dumps(layers, ensure_ascii=False).replace("<", "\\u003c"),
        ))  # fmt: skip

    @documented("Zgłoszenie zagrożenia: historia, powiązania, zmiana stanu (strona HTML)",
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def detail(request: web.Request) -> web.StreamResponse:
        incident_id = path_id(request, "id", IncidentError)
        item = await service.get(actor_of(request), incident_id)
        problem = request.query.get("blad", "")[:300]
        return html(render(
            request, "bezpieczenstwo_zgloszenie.html", i=item, statuses=STATUSES,
            priorities=PRIORITIES, sources=SOURCES, next=next_statuses(item.status), tz=tz,
            problem=problem,
        ))  # fmt: skip

    def back_with(incident_id: int, problem: str = "") -> web.HTTPSeeOther:
        """Back to the incident's page, with the refusal's message shown there."""
        target = URL(f"{BASE}/zgloszenia/{incident_id}")
        return web.HTTPSeeOther(target.with_query({"blad": problem}) if problem else target)

    async def posted(request: web.Request) -> tuple[int, dict[str, str]]:
        """The incident in the path and the form's fields."""
        return path_id(request, "id", IncidentError), await form_fields(request, IncidentError)

    @documented("Zmiana stanu lub priorytetu zgłoszenia (formularz HTML)", status=303,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def change(request: web.Request) -> web.StreamResponse:
        incident_id, data = await posted(request)
        try:
            await service.change(
                actor_of(request), incident_id, status=data.get("status", "")[:20],
                priority=data.get("priority", "")[:20], note=data.get("note", "")[:2000],
            )  # fmt: skip
        except IncidentError as exc:
            if exc.status == 404:
                raise
            raise back_with(incident_id, exc.message) from None
        raise back_with(incident_id)

    @documented("Połączenie zgłoszenia z innym (formularz HTML)", status=303,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*STAFF)
    async def merge(request: web.Request) -> web.StreamResponse:
        incident_id, data = await posted(request)
        into = whole_number(data.get("into", "").strip(), 1, 2**31 - 1)
        if into is None:
            raise back_with(incident_id, "Podaj numer głównego zgłoszenia.")
        try:
            await service.merge(actor_of(request), incident_id, into)
        except IncidentError as exc:
            if exc.status == 404:  # this page's incident gone: 404; the main one: said here
                await service.get(actor_of(request), incident_id)
            raise back_with(incident_id, exc.message) from None
        raise web.HTTPSeeOther(f"{BASE}/zgloszenia/{into}")

    @documented("Katalog zagrożeń (strona HTML)", errors=(401, 403))
    @require(*STAFF)
    async def catalogue(request: web.Request) -> web.StreamResponse:
        found = await service.categories(all_of_them=True)
        actor = actor_of(request)
        return html(render(
            request, "bezpieczenstwo_kategorie.html", categories=found,
            priorities=PRIORITIES, editable=actor.role in ("supervisor", "admin"),
            problem=request.query.get("blad", "")[:300],
        ))  # fmt: skip

    @documented("Zapis kategorii zagrożenia (formularz HTML; kierownik zmiany, administrator)",
                status=303, errors=(400, 401, 403))  # fmt: skip
    @require("supervisor", "admin")
    async def save_category(request: web.Request) -> web.StreamResponse:
        data = await form_fields(request, IncidentError)
        category_id = whole_number(data.get("id", "").strip(), 1, 2**31 - 1)
        slug = data.get("slug", "").strip()[:64]
        name = data.get("name", "").strip()[:120]
        notify = tuple(n.strip() for n in data.get("notify", "").split(",") if n.strip())
        try:
            if not slug or not all(c.isascii() and (c.isalnum() or c in "_-") for c in slug):
                raise CategoryInvalid("Adres kategorii: małe litery, cyfry, - i _.")
            if not name:
                raise CategoryInvalid("Podaj nazwę kategorii.")
            if any(len(n) > 32 or not n.isprintable() for n in notify):
                raise CategoryInvalid("Kogo powiadomić: rodzaje po przecinku, np. osp, soltys.")
            await service.save_category(actor_of(request), CategoryDraft(
                slug.lower(), name, data.get("instructions", "")[:5000].strip(), notify,
                data.get("priority", "sredni"), bool(data.get("active")),
                whole_number(data.get("position", "0").strip() or "0", 0, 10_000) or 0,
            ), category_id)  # fmt: skip
        except IncidentError as exc:
            target = URL(f"{BASE}/kategorie").with_query({"blad": exc.message})
            raise web.HTTPSeeOther(target) from None
        raise web.HTTPSeeOther(f"{BASE}/kategorie")

    item = BASE + r"/zgloszenia/{id:\d{1,10}}"
    return [
        web.get(BASE, map_page),
        web.get(item, detail),
        web.post(item + "/stan", change),
        web.post(item + "/polacz", merge),
        web.get(f"{BASE}/kategorie", catalogue),
        web.post(f"{BASE}/kategorie", save_category),
    ]
