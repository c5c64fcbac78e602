"""The responders' register and the dispatches over HTTP.

GET  /bezpieczenstwo/ratownicy              the register and recent dispatches (HTML page)
POST /bezpieczenstwo/ratownicy              add or change a responder (form)
POST /bezpieczenstwo/ratownicy/{id}/dostepnosc   mark available / busy / unavailable (form)
GET  /api/ratownicy                         responders (id, name, kind, lat, lon, available now)
GET  /api/ratownicy/mapa                    the safety map's layer of responders
POST /api/ratownicy                         add a responder
GET  /api/ratownicy/{id}                    one responder
PUT  /api/ratownicy/{id}                    change a responder
POST /api/ratownicy/{id}/dostepnosc         its availability
POST /api/wyjazdy/propozycje                the nearest available responders of a point
POST /api/wyjazdy                           send a responder to an incident
GET  /api/wyjazdy?incident_id=              the dispatches of an incident
GET  /api/wyjazdy/{id}                      one dispatch
POST /api/wyjazdy/{id}/stan                 an answer given by phone
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import Field

from cic.auth.actor import Actor
from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.http.json_api import form_fields, path_id
from cic.http.schemas import Digits, Query, read_body, read_query
from cic.responders import calendar as duty
from cic.responders.dispatch import DispatchService
from cic.responders.errors import InvalidResponder, ResponderError
from cic.responders.ranking import AVAILABILITY_LABELS, KIND_LABELS
from cic.responders.schemas import (
    AvailabilityIn,
    DispatchesOut,
    DispatchIn,
    DispatchOut,
    DispatchStatusIn,
    MapFeatureOut,
    ProposalIn,
    ResponderIn,
    ResponderOut,
    RespondersOut,
)  # fmt: skip
from cic.responders.service import ResponderInput, ResponderService

STAFF = ("agent", "specialist", "supervisor")
KEEPERS = ("supervisor",)
DISPATCHERS = ("specialist", "supervisor")
PAGE = "/bezpieczenstwo/ratownicy"


class DispatchQuery(Query):
    """Which incident's dispatches."""

    incident_id: Digits = Field(ge=1, lt=2**31, title="Numer zgłoszenia")


def actor(request: web.Request) -> Actor:
    """The signed-in user as the services see them."""
    user = current_user(request)
    return Actor(user.username, user.role) if user else Actor("", "")


def routes(responders: ResponderService, dispatches: DispatchService) -> list[web.RouteDef]:
    """The page, the JSON API and the public confirmation page."""

    async def page(
        request: web.Request, *, errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None, status: int = 200,
    ) -> web.Response:  # fmt: skip
        who = actor(request)
        everyone = await responders.registered(who, with_inactive=True)
        text = render(
            request, "ratownicy.html", responders=everyone,
            dispatches=await dispatches.recent(who), errors=errors or {}, values=values or {},
            kinds=KIND_LABELS, availability=AVAILABILITY_LABELS, weekdays=duty.WEEKDAY_LABELS,
            can_keep=who.role in ("supervisor", "admin"),
            notice={"zapisano": "Zapisano."}.get(request.query.get("stan", ""), ""),
        )  # fmt: skip
        return html(text, status)

    @documented("Ratownicy: rejestr, dyżury, dostępność i ostatnie wyjazdy (strona HTML)",
                errors=(401, 403))  # fmt: skip
    @require("supervisor", "specialist")
    async def register_page(request: web.Request) -> web.StreamResponse:
        raw = request.query.get("edytuj", "")
        if raw.isascii() and raw.isdigit() and len(raw) < 10:
            found = await responders.get(actor(request), int(raw))
            return await page(request, values=_to_form(found))
        return await page(request)

    @documented("Dodanie albo zmiana ratownika (formularz)", errors=(400, 401, 403, 404),
                also={303: "zapisano: strona ratowników"})  # fmt: skip
    @require(*KEEPERS)
    async def save_form(request: web.Request) -> web.StreamResponse:
        fields = await form_fields(request, ResponderError)
        try:
            given = _from_form(fields)
            raw_id = fields.get("id", "")
            responder_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
            await responders.save(actor(request), given, responder_id)
        except InvalidResponder as exc:
            return await page(request, errors=exc.fields, values=dict(fields), status=400)
        raise web.HTTPSeeOther(f"{PAGE}?stan=zapisano")

    @documented("Zmiana dostępności ratownika (formularz)", errors=(400, 401, 403, 404),
                also={303: "zapisano"})  # fmt: skip
    @require(*DISPATCHERS)
    async def availability_form(request: web.Request) -> web.StreamResponse:
        responder_id = path_id(request, "id", ResponderError)
        fields = await form_fields(request, ResponderError)
        await responders.set_availability(
            actor(request), responder_id, fields.get("availability", "")
        )
        raise web.HTTPSeeOther(f"{PAGE}?stan=zapisano")

    @documented("Ratownicy (także warstwa mapy: id, nazwa, rodzaj, położenie, dostępny teraz)",
                returns=RespondersOut, errors=(401, 403))  # fmt: skip
    @require(*STAFF)
    async def list_api(request: web.Request) -> web.StreamResponse:
        return web.json_response({"items": await responders.registered(actor(request))})

    @documented("Warstwa mapy: ratownicy jako punkty (dostępni teraz i pozostali)",
                returns=list[MapFeatureOut], errors=(401, 403))  # fmt: skip
    @require(*STAFF)
    async def map_api(request: web.Request) -> web.StreamResponse:
        found = await responders.registered(actor(request))
        return web.json_response([{
            "lat": r["lat"], "lon": r["lon"], "label": f"{r['name']} ({r['kind_label']})",
            "detail": "dostępny teraz" if r["available_now"] else
                      ("poza dyżurem" if not r["on_duty"] else r["availability_label"]),
            "href": PAGE,
        } for r in found])  # fmt: skip

    @documented("Dodanie ratownika", body=ResponderIn, returns=ResponderOut, status=201,
                errors=(400, 401, 403))  # fmt: skip
    @require(*KEEPERS)
    async def create_api(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ResponderIn, ResponderError)
        who = actor(request)
        new_id = await responders.save(who, body.given_input())
        return web.json_response(await responders.get(who, new_id), status=201)

    @documented("Jeden ratownik", returns=ResponderOut, errors=(400, 401, 403, 404))
    @require(*STAFF)
    async def get_api(request: web.Request) -> web.StreamResponse:
        responder_id = path_id(request, "id", ResponderError)
        return web.json_response(await responders.get(actor(request), responder_id))

    @documented("Zmiana ratownika", body=ResponderIn, returns=ResponderOut,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*KEEPERS)
    async def update_api(request: web.Request) -> web.StreamResponse:
        responder_id = path_id(request, "id", ResponderError)
        body = await read_body(request, ResponderIn, ResponderError)
        who = actor(request)
        await responders.save(who, body.given_input(), responder_id)
        return web.json_response(await responders.get(who, responder_id))

    @documented("Dostępność ratownika (dostępny, zajęty, niedostępny)", body=AvailabilityIn,
                returns=ResponderOut, errors=(400, 401, 403, 404))  # fmt: skip
    @require(*DISPATCHERS)
    async def availability_api(request: web.Request) -> web.StreamResponse:
        responder_id = path_id(request, "id", ResponderError)
        body = await read_body(request, AvailabilityIn, ResponderError)
        found = await responders.set_availability(actor(request), responder_id, body.availability)
        return web.json_response(found)

    @documented("Najbliżsi dostępni ratownicy dla punktu (na dyżurze teraz, odległość w km)",
                body=ProposalIn, returns=RespondersOut, errors=(400, 401, 403))  # fmt: skip
    @require(*STAFF)
    async def propose_api(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, ProposalIn, ResponderError)
        found = await responders.propose(actor(request), body.lat, body.lon, body.kinds, body.limit)
        return web.json_response({"items": found})

    @documented("Wysłanie ratownika do zgłoszenia i powiadomienie go (SMS, połączenie, e-mail)",
                body=DispatchIn, returns=DispatchOut, status=201,
                errors=(400, 401, 403, 404, 409))  # fmt: skip
    @require(*DISPATCHERS)
    async def send_api(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, DispatchIn, ResponderError)
        sent = await dispatches.send(actor(request), body.incident_id, body.responder_id,
                                     body.note, body.call_out())  # fmt: skip
        return web.json_response(sent, status=201)

    @documented("Wyjazdy do zgłoszenia (najnowsze najpierw, z historią i doręczeniami)",
                query=DispatchQuery, returns=DispatchesOut, errors=(400, 401, 403))  # fmt: skip
    @require(*STAFF)
    async def for_incident_api(request: web.Request) -> web.StreamResponse:
        query = read_query(request, DispatchQuery, ResponderError)
        found = await dispatches.for_incident(actor(request), query.incident_id)
        return web.json_response({"items": found})

    @documented("Jeden wyjazd", returns=DispatchOut, errors=(400, 401, 403, 404))
    @require(*STAFF)
    async def dispatch_api(request: web.Request) -> web.StreamResponse:
        dispatch_id = path_id(request, "id", ResponderError)
        return web.json_response(await dispatches.get(actor(request), dispatch_id))

    @documented("Odpowiedź ratownika przekazana telefonicznie (potwierdzenie, odmowa, brak)",
                body=DispatchStatusIn, returns=DispatchOut,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*DISPATCHERS)
    async def status_api(request: web.Request) -> web.StreamResponse:
        dispatch_id = path_id(request, "id", ResponderError)
        body = await read_body(request, DispatchStatusIn, ResponderError)
        found = await dispatches.set_status(actor(request), dispatch_id, body.status, body.detail)
        return web.json_response(found)

    return [
        web.get(PAGE, register_page),
        web.post(PAGE, save_form),
        web.post(PAGE + r"/{id:\d{1,10}}/dostepnosc", availability_form),
        web.get("/api/ratownicy", list_api),
        web.get("/api/ratownicy/mapa", map_api),
        web.post("/api/ratownicy", create_api),
        web.get(r"/api/ratownicy/{id:\d{1,10}}", get_api),
        web.put(r"/api/ratownicy/{id:\d{1,10}}", update_api),
        web.post(r"/api/ratownicy/{id:\d{1,10}}/dostepnosc", availability_api),
        web.post("/api/wyjazdy/propozycje", propose_api),
        web.post("/api/wyjazdy", send_api),
        web.get("/api/wyjazdy", for_incident_api),
        web.get(r"/api/wyjazdy/{id:\d{1,10}}", dispatch_api),
        web.post(r"/api/wyjazdy/{id:\d{1,10}}/stan", status_api),
    ]


def _float(text: str, name: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidResponder({name: "liczba w stopniach, np. 52.4015"}) from None


def _to_form(found: dict[str, Any]) -> dict[str, Any]:
    """A stored responder as the page's form fields (what :func:`_from_form` reads back)."""
    values: dict[str, Any] = {
        name: found.get(name, "") for name in ("id", "name", "kind", "address", "phone", "email")
    }
    values |= {"lat": str(found["lat"]), "lon": str(found["lon"]),
               "availability": found["availability"]}  # fmt: skip
    for channel in found.get("channels", []):
        values[f"channel_{channel}"] = "tak"
    values["always_on"] = "tak" if found.get("always_on") else ""
    values["active"] = "tak" if found.get("active") else "nie"
    for day, items in (found.get("weekly") or {}).items():
        values[f"weekly_{day}"] = ", ".join(items)
    values["exceptions"] = "\n".join(
        f"{e['kind']} {e['start']} {e['end']} {e.get('note', '')}".strip()
        for e in found.get("exceptions") or []
    )
    return values


def _from_form(fields: dict[str, str]) -> ResponderInput:
    """The page's form: weekly hours as "07:00-15:00, 20:00-06:00" per weekday; exceptions one
    per line as "wolne 2026-12-24T00:00 2026-12-27T00:00 urlop"."""
    weekly = {
        day: [part.strip() for part in fields.get(f"weekly_{day}", "").split(",") if part.strip()]
        for day in duty.WEEKDAYS
    }
    exceptions = []
    for line in fields.get("exceptions", "").splitlines():
        parts = line.split(maxsplit=3)
        if not parts:
            continue
        if len(parts) < 3:
            raise InvalidResponder({"calendar": "wyjątek: rodzaj, początek, koniec (i uwaga)"})
        exceptions.append({"kind": parts[0], "start": parts[1], "end": parts[2],
                           "note": parts[3] if len(parts) > 3 else ""})  # fmt: skip
    channels = [c for c in ("sms", "voice", "email") if fields.get(f"channel_{c}") == "tak"]
    return ResponderInput(
        kind=fields.get("kind", ""), name=fields.get("name", ""),
        lat=_float(fields.get("lat", ""), "lat"), lon=_float(fields.get("lon", ""), "lon"),
        address=fields.get("address", ""), phone=fields.get("phone", ""),
        email=fields.get("email", ""), channels=channels,
        always_on=fields.get("always_on") == "tak", weekly=weekly, exceptions=exceptions,
        availability=fields.get("availability", "dostepny"),
        active=fields.get("active", "tak") == "tak",
    )  # fmt: skip
