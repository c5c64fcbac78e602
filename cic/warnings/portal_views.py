"""The residents' pages of warnings (no script needed, portal form tokens and limits).

GET  /e-urzad/ostrzezenia                       warnings in force and recent ones
GET  /e-urzad/ostrzezenia/{id}                  one warning
GET  /e-urzad/ostrzezenia/subskrypcja           subscribe / unsubscribe: the form
POST /e-urzad/ostrzezenia/subskrypcja           a request: a code (SMS, call) or a link (e-mail)
POST /e-urzad/ostrzezenia/subskrypcja/kod       the code the resident got
GET  /e-urzad/ostrzezenia/potwierdz/{token}     the e-mail link's page (one button)
POST /e-urzad/ostrzezenia/potwierdz/{token}     confirm
GET  /e-urzad/ostrzezenia/wypisz/{token}        the one-click unsubscribe page (one button)
POST /e-urzad/ostrzezenia/wypisz/{token}        unsubscribe at once (RFC 8058 one-click)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from cic.announcements.present import polish_time
from cic.channels.ratelimit import HourlyLimit
from cic.http.endpoint import documented
from cic.http.json_api import form_data, form_fields, path_id
from cic.portal.errors import PortalError, PortalTooManyAttempts
from cic.portal.forms import PortalForms
from cic.portal.render import page
from cic.warnings.errors import CodeRefused, InvalidWarning, LinkExpired, WarningError
from cic.warnings.models import SUBSCRIPTION_CHANNELS
from cic.warnings.service import WarningService
from cic.warnings.subscriptions import PAGE, Subscriptions

Message = Callable[..., web.Response]
LIST = "/e-urzad/ostrzezenia"
SECTION = "ostrzezenia"
SENT_EMAIL = (
    "Jeśli adres jest poprawny, wysłaliśmy na niego wiadomość z linkiem potwierdzającym. "
    "Otwórz ją i kliknij link – dopiero wtedy zmiana zacznie obowiązywać."
)


@dataclass(frozen=True)
class PortalSection:
    """What the residents' pages need."""

    warnings: WarningService
    subscriptions: Subscriptions
    forms: PortalForms
    confirm_forms: PortalForms
    per_client: HourlyLimit
    per_address: HourlyLimit
    zone: str


def routes(section: PortalSection) -> list[web.RouteDef]:
    """The residents' pages."""
    subs = section.subscriptions

    def when(value: datetime) -> str:
        return polish_time(value, section.zone)

    async def form_page(
        request: web.Request, status: int = 200, values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None, problem: str = "",
    ) -> web.Response:  # fmt: skip
        values = values or {"kanal": "sms", "adres": "", "solectwa": [], "zgoda": False,
                            "akcja": "zapisz"}  # fmt: skip
        return page(
            request, "ostrzezenia_subskrypcja.html", status=status, section=SECTION,
            token=section.forms.token(), values=values, errors=dict(errors or {}),
            problem=problem, channels=SUBSCRIPTION_CHANNELS, solectwa=subs.solectwa,
            consent=subs.consent_text, version=subs.consent_version,
        )  # fmt: skip

    def code_page(request: web.Request, values: Mapping[str, Any], status: int = 200,
                  problem: str = "") -> web.Response:  # fmt: skip
        return page(
            request, "ostrzezenia_kod.html", status=status, section=SECTION,
            token=section.confirm_forms.token(), values=values, problem=problem,
            channel_label=SUBSCRIPTION_CHANNELS.get(values["kanal"], ""),
            minutes=subs.code_minutes,
        )  # fmt: skip

    def message(request: web.Request, heading: str, text: str, status: int = 200,
                tone: str = "ok") -> web.Response:  # fmt: skip
        return page(request, "ostrzezenia_komunikat.html", status=status, section=SECTION,
                    heading=heading, text=text, tone=tone)  # fmt: skip

    @documented("Ostrzeżenia dla mieszkańców: obowiązujące i niedawne (strona HTML)")
    async def listing(request: web.Request) -> web.StreamResponse:
        return page(request, "ostrzezenia.html", section=SECTION,
                    items=await section.warnings.public(), when=when)  # fmt: skip

    @documented("Jedno ostrzeżenie (strona HTML)", errors=(400, 404))
    async def one(request: web.Request) -> web.StreamResponse:
        item = await section.warnings.public_one(path_id(request, "id", WarningError))
        return page(request, "ostrzezenie.html", section=SECTION, item=item, when=when)

    @documented("Subskrypcja ostrzeżeń: formularz zapisu i wypisania (strona HTML)")
    async def show(request: web.Request) -> web.StreamResponse:
        return await form_page(request)

    @documented("Zapis na ostrzeżenia albo wypisanie: wysyła kod lub link (formularz)",
                errors=(400, 429))  # fmt: skip
    async def subscribe(request: web.Request) -> web.StreamResponse:
        form = await form_data(request, PortalError)
        fields = await form_fields(request, PortalError)
        places = [str(v)[:200] for v in form.getall("solectwo", [])][:100]
        channel, address = fields.get("kanal", "")[:16], fields.get("adres", "").strip()[:400]
        consent, leaving = fields.get("zgoda") == "tak", fields.get("akcja") == "wypisz"
        values = {"kanal": channel, "adres": address, "solectwa": places, "zgoda": consent,
                  "akcja": "wypisz" if leaving else "zapisz"}  # fmt: skip
        try:
            section.forms.check(fields)
            if fields.get("strona_www"):  # the robots' trap: the same answer, nothing kept
                return message(request, "Wysłano", SENT_EMAIL)
            wrong: dict[str, str] = {}
            stored = ""
            try:
                stored = subs.check(channel, address, () if leaving else places)
            except InvalidWarning as exc:
                wrong.update(exc.fields)
            if not leaving and not consent:
                wrong["zgoda"] = "Zaznacz zgodę, aby się zapisać."
            if wrong:
                raise InvalidWarning(wrong)
            _limit(section.per_client, request.remote or "")
            _limit(section.per_address, f"{channel}:{stored}")
            if leaving:
                await subs.request_unsubscribe(channel, stored)
            else:
                await subs.request(channel, stored, places)
        except InvalidWarning as exc:
            return await form_page(request, exc.status, values, exc.fields)
        except PortalError as exc:
            response = await form_page(request, exc.status, values, problem=exc.message)
            if isinstance(exc, PortalTooManyAttempts):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if channel == "email":
            return message(request, "Sprawdź skrzynkę", SENT_EMAIL)
        return code_page(request, {"kanal": channel, "adres": stored, "akcja": values["akcja"]})

    @documented("Kod potwierdzenia zapisu lub wypisania (formularz)", errors=(400,))
    async def confirm_code(request: web.Request) -> web.StreamResponse:
        fields = await form_fields(request, PortalError)
        values = {"kanal": fields.get("kanal", "")[:16], "adres": fields.get("adres", "")[:40],
                  "akcja": "wypisz" if fields.get("akcja") == "wypisz" else "zapisz"}  # fmt: skip
        if values["kanal"] not in ("sms", "voice"):
            return await form_page(request, 400, problem="Zacznij od formularza subskrypcji.")
        try:
            section.confirm_forms.check(fields)
            done = await subs.confirm_code(values["kanal"], values["adres"],
                                           fields.get("kod", ""))  # fmt: skip
        except (CodeRefused, InvalidWarning, PortalError) as exc:
            return code_page(request, values, exc.status, exc.message)
        return _done(request, done, message)

    @documented("Potwierdzenie z e-maila: strona z przyciskiem (HTML)", errors=(404,))
    async def link_page(request: web.Request) -> web.StreamResponse:
        if not await subs.check_link(request.match_info["token"]):
            return _expired(request, LinkExpired(), message)
        return page(request, "ostrzezenia_potwierdz.html", section=SECTION,
                    form_token=section.confirm_forms.token(), action=request.path)  # fmt: skip

    @documented("Potwierdzenie z e-maila (formularz)", errors=(400, 404))
    async def link_confirm(request: web.Request) -> web.StreamResponse:
        try:
            section.confirm_forms.check(await form_fields(request, PortalError))
            done = await subs.confirm_link(request.match_info["token"])
        except LinkExpired as exc:
            return _expired(request, exc, message)
        except PortalError as exc:
            return page(request, "ostrzezenia_potwierdz.html", status=exc.status,
                        section=SECTION, form_token=section.confirm_forms.token(),
                        action=request.path, problem=exc.message)  # fmt: skip
        return _done(request, done, message)

    @documented("Wypisanie z ostrzeżeń linkiem z e-maila: strona z przyciskiem (HTML)",
                errors=(404,))  # fmt: skip
    async def unsubscribe_page(request: web.Request) -> web.StreamResponse:
        if not await subs.check_unsubscribe(request.match_info["token"]):
            return _expired(request, LinkExpired("Ten link wypisania jest nieprawidłowy."),
                            message)  # fmt: skip
        return page(request, "ostrzezenia_wypisz.html", section=SECTION, action=request.path)

    @documented("Wypisanie z ostrzeżeń jednym kliknięciem (RFC 8058)", errors=(404,))
    async def unsubscribe(request: web.Request) -> web.StreamResponse:
        try:
            await subs.unsubscribe_by_link(request.match_info["token"])
        except LinkExpired as exc:
            return _expired(request, exc, message)
        return _done(request, "unsubscribe", message)

    link = r"{token:[A-Za-z0-9_.-]{1,120}}"
    return [
        web.get(LIST, listing),
        web.get(LIST + r"/{id:\d{1,10}}", one),
        web.get(PAGE, show),
        web.post(PAGE, subscribe),
        web.post(f"{PAGE}/kod", confirm_code),
        web.get(f"{LIST}/potwierdz/{link}", link_page),
        web.post(f"{LIST}/potwierdz/{link}", link_confirm),
        web.get(f"{LIST}/wypisz/{link}", unsubscribe_page),
        web.post(f"{LIST}/wypisz/{link}", unsubscribe),
    ]


def _done(request: web.Request, done: str, message: Message) -> web.Response:
    if done == "unsubscribe":
        return message(request, "Wypisano z ostrzeżeń",
                       "Nie będziemy już wysyłać ostrzeżeń na ten numer lub adres. Możesz "
                       "zapisać się ponownie w każdej chwili.")  # fmt: skip
    return message(request, "Zapis potwierdzony",
                   "Dziękujemy. Będziemy wysyłać ostrzeżenia o zagrożeniach dla wybranych "
                   "sołectw (albo całej gminy). Wypiszesz się na tej stronie, telefonicznie "
                   "albo w urzędzie.")  # fmt: skip


def _limit(limit: HourlyLimit, key: str) -> None:
    verdict = limit.take(key)
    if verdict.wait:
        raise PortalTooManyAttempts(verdict.wait, "Zbyt wiele prób. Spróbuj ponownie za godzinę.")


def _expired(request: web.Request, error: WarningError, message: Message) -> web.Response:
    return message(request, "Link nieważny", error.message, error.status,
                   "warn")  # fmt: skip
