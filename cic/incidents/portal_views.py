"""Reporting a threat on the resident portal (no sign-in; works without JavaScript: the
address as text or the coordinates typed; with JavaScript a small map fills the coordinates
from a click). An optional photo is checked and re-encoded without its metadata.

GET  /e-urzad/zgloszenie-zagrozenia              the form (no script, like every portal page)
GET  /e-urzad/zgloszenie-zagrozenia/mapa         the same form with a map to click (opt-in:
                                                 Leaflet's script and the configured tiles)
POST /e-urzad/zgloszenie-zagrozenia              send (multipart) → 303 to the thank-you page
GET  /e-urzad/zgloszenie-zagrozenia/wyslano      thanks, with the report's number
"""

from __future__ import annotations

import logging
import math
import re

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from cic.auth.lockout import address_key
from cic.channels.ratelimit import HourlyLimit
from cic.config import SafetySettings
from cic.http.endpoint import documented
from cic.http.json_api import form_data
from cic.incidents.contact import ContactReports
from cic.incidents.errors import (
    AddressNotFound,
    BadPhoto,
    CategoryNotFound,
    IncidentError,
    NoLocation,
    OutsideArea,
    PhotoTooBig,
)
from cic.incidents.pages import map_config
from cic.incidents.service import PORTAL, IncidentService, IncidentView, NewIncident
from cic.portal.errors import PortalError, PortalFormExpired
from cic.portal.forms import PortalForms
from cic.portal.render import error_page, form_values, page, see_other

log = logging.getLogger(__name__)
PATH = "/e-urzad/zgloszenie-zagrozenia"
SECTION = "zgloszenie"
FIELDS = ("category", "description", "address", "lat", "lon", "name", "phone", "mapa")
LABELS = {"category": "Rodzaj zagrożenia", "description": "Opis", "address": "Adres lub miejsce",
          "lat": "Szerokość geograficzna", "lon": "Długość geograficzna",
          "name": "Imię i nazwisko", "phone": "Telefon", "photo": "Zdjęcie"}  # fmt: skip
FORM_ROOM = 64 * 1024
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def upload_limit_middleware(max_mb: int) -> Middleware:
    """Lets the portal's report form take a photo of up to ``max_mb`` megabytes (every other
    route keeps aiohttp's 1 MiB); a bigger body is a Polish 413 page. Placed before the auth
    middleware, like the consultations' upload limit."""
    limit = max_mb * 1024 * 1024 + FORM_ROOM

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != PATH:
            return await handler(request)
        roomy = request.clone(client_max_size=limit)
        try:
            return await handler(roomy)
        except web.HTTPRequestEntityTooLarge:
            return error_page(roomy, PhotoTooBig(f"Zdjęcie jest za duże: najwyżej {max_mb} MB."))

    return middleware


def _number(raw: str, label: str, errors: dict[str, str], name: str) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = f"{label}: wpisz liczbę, np. 50.0614."
        return None
    if not math.isfinite(value):
        errors[name] = f"{label}: wpisz liczbę, np. 50.0614."
        return None
    return value


def routes(
    service: IncidentService, forms: PortalForms, limit: HourlyLimit, settings: SafetySettings,
    contact: ContactReports | None = None,
) -> list[web.RouteDef]:  # fmt: skip
    """The form, its POST and the thank-you page; with ``contact`` each report also opens a
    contact report of the web-form channel, linked to the incident."""

    async def show(
        request: web.Request, values: dict[str, str], errors: dict[str, str],
        status: int = 200, problem: str = "",
    ) -> web.Response:  # fmt: skip
        with_map = values.get("mapa") == "tak"
        return page(
            request, "zgloszenie_zagrozenia.html", status=status, section=SECTION,
            token=forms.token(), categories=await service.categories(), values=values,
            errors=errors, labels=LABELS, problem=problem, max_mb=settings.photo_max_mb,
            config=map_config(settings) if with_map else "", with_map=with_map,
        )  # fmt: skip

    @documented("Portal: formularz zgłoszenia zagrożenia (adres albo współrzędne, zdjęcie)")
    async def blank(request: web.Request) -> web.StreamResponse:
        return await show(request, {}, {})

    @documented("Portal: formularz zgłoszenia zagrożenia z mapą do wskazania miejsca")
    async def blank_map(request: web.Request) -> web.StreamResponse:
        return await show(request, {"mapa": "tak"}, {})

    @documented(
        "Portal: wysłanie zgłoszenia zagrożenia (formularz multipart z form_token)",
        description="Pola: category, description, address albo lat i lon, name, phone,"
        " photo (JPEG, PNG albo WebP). Błędy: ta sama strona z opisem.",
        status=303, errors=(400, 413, 429),
    )  # fmt: skip
    async def send(request: web.Request) -> web.StreamResponse:
        data = await form_data(request, PortalError)
        values = form_values(data, *FIELDS, limit=5000)
        errors: dict[str, str] = {}
        try:
            forms.check({"form_token": str(data.get("form_token", ""))})
        except PortalFormExpired as exc:
            return await show(request, values, {}, 400, exc.message)
        if not values["category"]:
            errors["category"] = "Wybierz rodzaj zagrożenia."
        if not values["description"]:
            errors["description"] = "Opisz zagrożenie."
        elif len(values["description"]) > 3000:
            errors["description"] = "Opis: najwyżej 3000 znaków."
        if len(values["address"]) > 300 or not values["address"].isprintable():
            errors["address"] = "Adres: najwyżej 300 znaków w jednym wierszu."
        if len(values["name"]) > 200 or not values["name"].isprintable():
            errors["name"] = "Imię i nazwisko: najwyżej 200 znaków w jednym wierszu."
        if values["phone"] and not _PHONE.match(values["phone"]):
            errors["phone"] = "Telefon: same cyfry, np. 500 100 200."
        lat = _number(values["lat"], LABELS["lat"], errors, "lat")
        lon = _number(values["lon"], LABELS["lon"], errors, "lon")
        upload = data.get("photo")
        photo = None
        if isinstance(upload, web.FileField):
            photo = upload.file.read()
            if not photo and not upload.filename:
                photo = None
        elif upload not in (None, ""):
            errors["photo"] = "Zdjęcie: wybierz plik JPEG, PNG albo WebP."
        if errors:
            return await show(request, values, errors, 400)
        key = address_key(request.remote or "-")
        verdict = limit.take(key)
        if verdict.wait:
            answer = await show(request, values, {}, 429,
                                "Zbyt wiele zgłoszeń z tego adresu. Spróbuj ponownie później"
                                " albo zadzwoń do urzędu.")  # fmt: skip
            answer.headers["Retry-After"] = str(verdict.wait)
            return answer
        description = values["description"]
        first = " ".join(description.split()[:8])[:120]
        new = NewIncident(
            category=values["category"][:64], title=first or "Zgłoszenie z portalu",
            source="portal", description=description, lat=lat, lon=lon,
            address=values["address"], reporter_name=values["name"],
            reporter_phone=values["phone"],
        )  # fmt: skip
        try:
            created = await service.create(PORTAL, new, photo)
        except (OutsideArea, AddressNotFound, NoLocation) as exc:
            limit.give_back(key)
            field = "address" if isinstance(exc, AddressNotFound) or not values["lat"] else "lat"
            return await show(request, values, {field: exc.message}, 400)
        except CategoryNotFound as exc:
            limit.give_back(key)
            return await show(request, values, {"category": exc.message}, 400)
        except (BadPhoto, PhotoTooBig) as exc:
            limit.give_back(key)
            return await show(request, values, {"photo": exc.message}, exc.status)
        except IncidentError as exc:
            limit.give_back(key)
            return await show(request, values, {}, exc.status, exc.message)
        if contact is not None:
            await link_contact(created.incident)
        raise see_other(f"{PATH}/wyslano?nr={created.incident.id}")

    async def link_contact(incident: IncidentView) -> None:
        try:
            report_id = await contact.open(incident) if contact else None
            if report_id is not None:
                await service.link(PORTAL, incident.id, "report", str(report_id))
        except Exception:  # the incident is stored and on the map: the resident is answered
            log.exception("threat report %s: its contact report failed", incident.id)

    @documented("Portal: podziękowanie za zgłoszenie zagrożenia (numer zgłoszenia)")
    async def sent(request: web.Request) -> web.StreamResponse:
        number = request.query.get("nr", "")
        shown = number if number.isascii() and number.isdigit() and len(number) <= 12 else ""
        return page(request, "zgloszenie_zagrozenia_wyslano.html", section=SECTION,
                    number=shown)  # fmt: skip

    return [
        web.get(PATH, blank),
        web.get(f"{PATH}/mapa", blank_map),
        web.post(PATH, send),
        web.get(f"{PATH}/wyslano", sent),
    ]
