"""The staff's pages and JSON API of warnings (server-rendered, the session's CSRF token in
every form, no script needed). Who may do what is checked again in the services.

GET  /bezpieczenstwo/ostrzezenia                 the list and the form of a new warning
POST /bezpieczenstwo/ostrzezenia                 save a new one (``akcja``: zapisz, wyslij)
GET  /bezpieczenstwo/ostrzezenia/{id}            one warning: results and summary (?stan=)
POST /bezpieczenstwo/ostrzezenia/{id}            ``akcja``: wyslij, odwolaj
GET  /bezpieczenstwo/ostrzezenia/{id}/wyniki.csv the results as CSV
GET  /bezpieczenstwo/subskrypcje                 the desk: subscriptions (?adres=), the consent
POST /bezpieczenstwo/subskrypcje                 record a resident's consent
POST /bezpieczenstwo/subskrypcje/{id}/wypisz     end a subscription at the resident's request

GET  /api/ostrzezenia, POST /api/ostrzezenia, GET|PUT /api/ostrzezenia/{id},
POST /api/ostrzezenia/{id}/czynnosc, GET /api/ostrzezenia/{id}/wyniki,
GET|POST /api/ostrzezenia/subskrypcje, POST /api/ostrzezenia/subskrypcje/{id}/wypisz
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cic.announcements.present import from_local_field, polish_time
from cic.auth.roles import current_user, require
from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.http.json_api import form_data, form_fields, path_id, whole_number
from cic.http.schemas import read_body
from cic.notify import statuses
from cic.warnings.errors import InvalidWarning, WarningError
from cic.warnings.models import CHANNELS, SEVERITIES, SUBSCRIPTION_CHANNELS
from cic.warnings.schemas import ActionIn, DeskIn, WarningIn
from cic.warnings.service import Actor, Draft, WarningService
from cic.warnings.subscriptions import Subscriptions

HOME = "/bezpieczenstwo/ostrzezenia"
DESK = "/bezpieczenstwo/subskrypcje"
#: The page and API: supervisors; editors for warnings on the portal banner only.
AUTHORS = ("supervisor", "editor")
#: The front desk: whoever serves residents.
OFFICIALS = ("agent", "specialist", "supervisor")
FIELDS = ("title", "text", "details", "severity", "valid_from", "valid_until", "incident_id",
          "audio")  # fmt: skip


def actor(request: web.Request) -> Actor:
    """The signed-in user as the services see them."""
    user = current_user(request)
    return Actor(user.username, user.role) if user else Actor("", "")


def routes(service: WarningService, subs: Subscriptions, zone: str) -> list[web.RouteDef]:
    """The staff's pages and API."""

    def when(value: Any) -> str:
        return polish_time(value, zone)

    async def home_page(
        request: web.Request, values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None, status: int = 200, notice: str = "",
    ) -> web.Response:  # fmt: skip
        values = values or {name: "" for name in FIELDS} | {
            "severity": "ostrzezenie",
            "channels": ["portal"],
            "solectwa": [],
        }
        text = render(
            request, "ostrzezenia.html", items=await service.listing(), values=values,
            errors=dict(errors or {}), notice=notice, when=when, severities=SEVERITIES,
            channels=CHANNELS, solectwa=service.solectwa,
        )  # fmt: skip
        return html(text, status)

    @documented("Ostrzeżenia dla mieszkańców: lista i nowe ostrzeżenie (strona HTML)",
                errors=(401, 403))  # fmt: skip
    @require(*AUTHORS)
    async def home(request: web.Request) -> web.StreamResponse:
        return await home_page(request)

    @documented("Nowe ostrzeżenie: zapis szkicu albo wysłanie (formularz)",
                errors=(400, 401, 403), also={303: "zapisano: strona ostrzeżenia"})  # fmt: skip
    @require(*AUTHORS)
    async def create(request: web.Request) -> web.StreamResponse:
        form = await form_data(request, WarningError)
        fields = await form_fields(request, WarningError)
        values: dict[str, Any] = {name: fields.get(name, "").strip()[:20_000] for name in FIELDS}
        values["channels"] = [str(v)[:16] for v in form.getall("channels", [])][:8]
        values["solectwa"] = [str(v)[:200] for v in form.getall("solectwa", [])][:200]
        action = fields.get("akcja", "zapisz")
        try:
            if action not in ("zapisz", "wyslij"):
                raise InvalidWarning({"akcja": "Nieznana czynność."})
            saved = await service.save(_draft(values, zone), actor(request))
            if action == "wyslij":
                await service.send(saved, actor(request))
        except InvalidWarning as exc:
            return await home_page(request, values, exc.fields, exc.status)
        raise web.HTTPSeeOther(f"{HOME}/{saved}?stan={action}")

    @documented("Jedno ostrzeżenie: wyniki wysyłki i podsumowanie (strona HTML)",
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*AUTHORS)
    async def one(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        item = await service.get(warning_id)
        status = request.query.get("stan_dostarczenia", "")[:16]
        status = status if status in statuses.LABELS else ""
        who = actor(request)
        summary, rows = (None, []) if who.role == "editor" else await service.results(
            warning_id, who, status)  # fmt: skip
        notice = {"zapisz": "Zapisano szkic.", "wyslij": "Wysłano.", "odwolaj": "Odwołano."}.get(
            request.query.get("stan", ""), "")  # fmt: skip
        return html(render(
            request, "ostrzezenie.html", item=item, summary=summary, rows=rows, when=when,
            status=status, labels=statuses.LABELS, channel_labels=statuses.CHANNEL_LABELS,
            notice=notice,
        ))  # fmt: skip

    @documented("Wysłanie albo odwołanie ostrzeżenia (formularz: akcja)",
                errors=(400, 401, 403, 404), also={303: "wykonano"})  # fmt: skip
    @require(*AUTHORS)
    async def act(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        action = (await form_fields(request, WarningError)).get("akcja", "")
        if action == "wyslij":
            await service.send(warning_id, actor(request))
        elif action == "odwolaj":
            await service.cancel(warning_id, actor(request))
        else:
            raise InvalidWarning({"akcja": "Nieznana czynność."})
        raise web.HTTPSeeOther(f"{HOME}/{warning_id}?stan={action}")

    @documented("Wyniki wysyłki ostrzeżenia (CSV)", errors=(400, 401, 403, 404),
                media="text/csv")  # fmt: skip
    @require("supervisor")
    async def results_csv(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        text = await service.results_csv(warning_id, actor(request))
        return web.Response(
            body=("\ufeff" + text).encode("utf-8"), content_type="text/csv", charset="utf-8",
            headers={"Content-Disposition":
                     f'attachment; filename="ostrzezenie-{warning_id}-wyniki.csv"'},
        )  # fmt: skip

    async def desk_page(request: web.Request, errors: Mapping[str, str] | None = None,
                        values: Mapping[str, Any] | None = None, status: int = 200,
                        notice: str = "") -> web.Response:  # fmt: skip
        address = request.query.get("adres", "")[:254]
        values = values or {"channel": "voice", "address": "", "solectwa": []}
        text = render(
            request, "ostrzezenia_subskrypcje.html", items=await subs.listing(actor(request),
            address), address=address, consent=subs.consent_text, version=subs.consent_version,
            channels=SUBSCRIPTION_CHANNELS, solectwa=subs.solectwa, errors=dict(errors or {}),
            values=values, notice=notice, when=when,
        )  # fmt: skip
        return html(text, status)

    @documented("Subskrypcje ostrzeżeń w urzędzie: lista i przyjęcie zgody (strona HTML)",
                errors=(401, 403))  # fmt: skip
    @require(*OFFICIALS)
    async def desk(request: web.Request) -> web.StreamResponse:
        notice = {"zapisano": "Zapisano zgodę.", "wypisano": "Wypisano."}.get(
            request.query.get("stan", ""), "")  # fmt: skip
        return await desk_page(request, notice=notice)

    @documented("Przyjęcie zgody mieszkańca w urzędzie (formularz)", errors=(400, 401, 403),
                also={303: "zapisano"})  # fmt: skip
    @require(*OFFICIALS)
    async def desk_add(request: web.Request) -> web.StreamResponse:
        form = await form_data(request, WarningError)
        fields = await form_fields(request, WarningError)
        channel, address = fields.get("channel", "")[:16], fields.get("address", "").strip()[:254]
        places = [str(v)[:200] for v in form.getall("solectwa", [])][:200]
        values = {"channel": channel, "address": address, "solectwa": places}
        try:
            if fields.get("zgoda") != "tak":
                raise InvalidWarning({"zgoda": "Przeczytaj mieszkańcowi treść zgody i zaznacz, "
                                               "że ją wyraził."})  # fmt: skip
            await subs.at_desk(actor(request), channel, address, places)
        except InvalidWarning as exc:
            return await desk_page(request, exc.fields, values, exc.status)
        raise web.HTTPSeeOther(f"{DESK}?stan=zapisano")

    @documented("Wypisanie mieszkańca w urzędzie (formularz)", errors=(400, 401, 403),
                also={303: "wypisano"})  # fmt: skip
    @require(*OFFICIALS)
    async def desk_end(request: web.Request) -> web.StreamResponse:
        await subs.end_at_desk(actor(request), path_id(request, "id", WarningError))
        raise web.HTTPSeeOther(f"{DESK}?stan=wypisano")

    # --- the JSON API ---
    @documented("Ostrzeżenia (lista)", errors=(401, 403))
    @require(*AUTHORS)
    async def api_list(_request: web.Request) -> web.StreamResponse:
        return web.json_response([w.as_dict() for w in await service.listing()])

    @documented("Nowe ostrzeżenie (szkic)", body=WarningIn, status=201, errors=(400, 401, 403))
    @require(*AUTHORS)
    async def api_create(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, WarningIn, WarningError)
        saved = await service.save(body.draft(), actor(request))
        return web.json_response((await service.get(saved)).as_dict(), status=201)

    @documented("Jedno ostrzeżenie", errors=(400, 401, 403, 404))
    @require(*AUTHORS)
    async def api_one(request: web.Request) -> web.StreamResponse:
        found = await service.get(path_id(request, "id", WarningError))
        return web.json_response(found.as_dict())

    @documented("Zmiana szkicu ostrzeżenia", body=WarningIn, errors=(400, 401, 403, 404))
    @require(*AUTHORS)
    async def api_change(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        body = await read_body(request, WarningIn, WarningError)
        await service.save(body.draft(), actor(request), warning_id)
        return web.json_response((await service.get(warning_id)).as_dict())

    @documented("Wysłanie albo odwołanie ostrzeżenia", body=ActionIn,
                errors=(400, 401, 403, 404))  # fmt: skip
    @require(*AUTHORS)
    async def api_act(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        body = await read_body(request, ActionIn, WarningError)
        result: dict[str, Any] = {}
        if body.action == "send":
            result = await service.send(warning_id, actor(request))
        else:
            await service.cancel(warning_id, actor(request))
        found = (await service.get(warning_id)).as_dict()
        return web.json_response({**found, "queued": result.get("queued", 0),
                                  "skipped": result.get("skipped", [])})  # fmt: skip

    @documented("Wyniki wysyłki ostrzeżenia: podsumowanie i odbiorcy (?stan=)",
                errors=(400, 401, 403, 404))  # fmt: skip
    @require("supervisor")
    async def api_results(request: web.Request) -> web.StreamResponse:
        warning_id = path_id(request, "id", WarningError)
        status = request.query.get("stan", "")[:16]
        summary, rows = await service.results(warning_id, actor(request), status)
        return web.json_response({"summary": summary, "deliveries": rows})

    @documented("Subskrypcje ostrzeżeń (?adres=)", errors=(401, 403))
    @require(*OFFICIALS)
    async def api_subs(request: web.Request) -> web.StreamResponse:
        found = await subs.listing(actor(request), request.query.get("adres", "")[:254])
        return web.json_response([s.as_dict() for s in found])

    @documented("Zgoda mieszkańca przyjęta w urzędzie", body=DeskIn, status=201,
                errors=(400, 401, 403))  # fmt: skip
    @require(*OFFICIALS)
    async def api_desk(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, DeskIn, WarningError)
        view = await subs.at_desk(actor(request), body.channel, body.address, body.solectwa)
        return web.json_response(view.as_dict(), status=201)

    @documented("Wypisanie mieszkańca w urzędzie", errors=(400, 401, 403))
    @require(*OFFICIALS)
    async def api_desk_end(request: web.Request) -> web.StreamResponse:
        view = await subs.end_at_desk(actor(request), path_id(request, "id", WarningError))
        return web.json_response(view.as_dict())

    item = r"/{id:\d{1,10}}"
    return [
        web.get(HOME, home),
        web.post(HOME, create),
        web.get(HOME + item, one),
        web.post(HOME + item, act),
        web.get(HOME + item + "/wyniki.csv", results_csv),
        web.get(DESK, desk),
        web.post(DESK, desk_add),
        web.post(DESK + item + "/wypisz", desk_end),
        web.get("/api/ostrzezenia", api_list),
        web.post("/api/ostrzezenia", api_create),
        web.get("/api/ostrzezenia/subskrypcje", api_subs),
        web.post("/api/ostrzezenia/subskrypcje", api_desk),
        web.post("/api/ostrzezenia/subskrypcje" + item + "/wypisz", api_desk_end),
        web.get("/api/ostrzezenia" + item, api_one),
        web.put("/api/ostrzezenia" + item, api_change),
        web.post("/api/ostrzezenia" + item + "/czynnosc", api_act),
        web.get("/api/ostrzezenia" + item + "/wyniki", api_results),
    ]


def _draft(values: Mapping[str, Any], zone: str) -> Draft:
    wrong: dict[str, str] = {}
    times: dict[str, Any] = {}
    for name, label in (("valid_from", "początku"), ("valid_until", "końca")):
        try:
            times[name] = from_local_field(values[name], zone)
        except ValueError:
            wrong[name] = f"Termin {label}: podaj datę i godzinę."
    incident: int | None = None
    if values["incident_id"]:
        incident = whole_number(values["incident_id"], 1, 2**31 - 1)
        if incident is None:
            wrong["incident_id"] = "Numer zdarzenia: liczba całkowita dodatnia."
    if wrong:
        raise InvalidWarning(wrong)
    return Draft(
        values["title"], values["text"].replace("\r\n", "\n"), values["severity"],
        tuple(values["channels"]), times["valid_from"], times["valid_until"],
        tuple(values["solectwa"]), values["details"].replace("\r\n", "\n"), incident,
        values["audio"],
    )  # fmt: skip
