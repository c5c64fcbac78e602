"""The newsletter's public pages.

GET  /e-urzad/powiadomienia                   the form: e-mail, categories, sołectwa, consent
POST /e-urzad/powiadomienia                   a request: the same answer for any address
GET  /e-urzad/powiadomienia/potwierdz/{token} the confirmation page (one button: a link
                                              scanner opening the link confirms nothing)
POST /e-urzad/powiadomienia/potwierdz/{token} confirm
GET  /e-urzad/powiadomienia/wypisz/{token}    the unsubscribe page (one button)
POST /e-urzad/powiadomienia/wypisz/{token}    unsubscribe at once (RFC 8058 one-click: the
                                              mail provider's POST carries no Origin; the
                                              signed token is the authority)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from cic.announcements.errors import (
    AnnouncementError,
    InvalidSubscription,
    LinkExpired,
    NewsletterUnavailable,
)
from cic.announcements.newsletter import Newsletter, normal_address
from cic.announcements.service import AnnouncementService
from cic.channels.ratelimit import HourlyLimit
from cic.http.endpoint import documented
from cic.http.json_api import form_data, form_fields
from cic.portal.errors import PortalError, PortalTooManyAttempts
from cic.portal.forms import PortalForms
from cic.portal.render import page

PAGE = "/e-urzad/powiadomienia"
#: The same words for a new, a subscribed and an unsubscribed address.
SENT = (
    "Jeśli adres jest poprawny, wysłaliśmy na niego wiadomość z linkiem potwierdzającym. "
    "Otwórz ją i kliknij link – dopiero wtedy zaczniemy wysyłać ogłoszenia."
)


@dataclass(frozen=True)
class NewsletterSection:
    """What the newsletter's pages need."""

    newsletter: Newsletter
    announcements: AnnouncementService
    forms: PortalForms
    confirm_forms: PortalForms
    per_client: HourlyLimit
    per_address: HourlyLimit
    consent: str


def routes(section: NewsletterSection) -> list[web.RouteDef]:
    """The newsletter's pages."""
    newsletter = section.newsletter

    async def form_page(
        request: web.Request, status: int = 200, values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None, problem: str = "",
    ) -> web.Response:  # fmt: skip
        values = values or {"email": "", "kategorie": [], "solectwa": [], "zgoda": False}
        return page(
            request, "powiadomienia.html", status=status, section="ogloszenia",
            token=section.forms.token(), values=values, errors=dict(errors or {}),
            problem=problem, categories=await section.announcements.categories(),
            solectwa=newsletter.solectwa, consent=section.consent,
            available=newsletter.available,
        )  # fmt: skip

    @documented("Powiadomienia e-mail o ogłoszeniach: formularz zapisu (strona HTML)")
    async def show(request: web.Request) -> web.StreamResponse:
        return await form_page(request)

    @documented("Zapis na powiadomienia: wysyła link potwierdzający (formularz)",
                errors=(400, 429, 503))  # fmt: skip
    async def subscribe(request: web.Request) -> web.StreamResponse:
        form = await form_data(request, PortalError)
        chosen = [str(v) for v in form.getall("kategoria", [])]
        places = [str(v) for v in form.getall("solectwo", [])]
        fields = await form_fields(request, PortalError)
        email, consent = fields.get("email", "").strip()[:400], fields.get("zgoda") == "tak"
        values = {"email": email, "kategorie": chosen, "solectwa": places, "zgoda": consent}
        try:
            section.forms.check(fields)
            if fields.get("strona_www"):  # the robots' trap: the same answer, nothing kept
                return page(request, "powiadomienia_wyslano.html", section="ogloszenia",
                            text=SENT)  # fmt: skip
            address = _checked(email, consent)
            _limit(section.per_client, request.remote or "")
            known = [c.slug for c in await section.announcements.categories()]
            _limit(section.per_address, address)
            await newsletter.subscribe(address, chosen, places, section.consent, known)
        except InvalidSubscription as exc:
            return await form_page(request, exc.status, values, exc.fields)
        except (PortalError, NewsletterUnavailable) as exc:
            response = await form_page(request, exc.status, values, problem=exc.message)
            if isinstance(exc, PortalTooManyAttempts):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return page(request, "powiadomienia_wyslano.html", section="ogloszenia", text=SENT)

    @documented("Potwierdzenie zapisu: strona z przyciskiem (HTML)", errors=(404,))
    async def confirm_page(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not await newsletter.check_link(token):
            return _expired(request, LinkExpired())
        return page(request, "powiadomienia_potwierdz.html", section="ogloszenia",
                    form_token=section.confirm_forms.token(), action=request.path)  # fmt: skip

    @documented("Potwierdzenie zapisu (formularz)", errors=(400, 404))
    async def confirm(request: web.Request) -> web.StreamResponse:
        try:
            section.confirm_forms.check(await form_fields(request, PortalError))
            await newsletter.confirm(request.match_info["token"])
        except LinkExpired as exc:
            return _expired(request, exc)
        except PortalError as exc:
            return page(request, "powiadomienia_potwierdz.html", status=exc.status,
                        section="ogloszenia", form_token=section.confirm_forms.token(),
                        action=request.path, problem=exc.message)  # fmt: skip
        return page(
            request, "ogloszenia_komunikat.html", section="ogloszenia", tone="ok",
            heading="Zapis potwierdzony",
            text="Dziękujemy. Będziemy wysyłać ogłoszenia z wybranych kategorii i sołectw. "
            "W każdej wiadomości jest link, którym wypiszesz się jednym kliknięciem.",
        )  # fmt: skip

    @documented("Wypisanie z powiadomień: strona z przyciskiem (HTML)", errors=(404,))
    async def unsubscribe_page(request: web.Request) -> web.StreamResponse:
        if not await newsletter.check_unsubscribe(request.match_info["token"]):
            return _expired(request, LinkExpired("Ten link wypisania jest nieprawidłowy."))
        return page(request, "powiadomienia_wypisz.html", section="ogloszenia",
                    action=request.path)  # fmt: skip

    @documented("Wypisanie z powiadomień jednym kliknięciem (RFC 8058)", errors=(404,))
    async def unsubscribe(request: web.Request) -> web.StreamResponse:
        try:
            await newsletter.unsubscribe(request.match_info["token"])
        except LinkExpired as exc:
            return _expired(request, exc)
        return page(
            request, "ogloszenia_komunikat.html", section="ogloszenia", tone="ok",
            heading="Wypisano z powiadomień",
            text="Nie będziemy już wysyłać ogłoszeń na ten adres. Możesz zapisać się ponownie "
            "w każdej chwili.",
        )  # fmt: skip

    link = r"{token:[A-Za-z0-9_.-]{1,120}}"
    return [
        web.get(PAGE, show),
        web.post(PAGE, subscribe),
        web.get(f"{PAGE}/potwierdz/{link}", confirm_page),
        web.post(f"{PAGE}/potwierdz/{link}", confirm),
        web.get(f"{PAGE}/wypisz/{link}", unsubscribe_page),
        web.post(f"{PAGE}/wypisz/{link}", unsubscribe),
    ]


def _checked(email: str, consent: bool) -> str:
    """The normalised address, or every wrong field at once."""
    wrong: dict[str, str] = {}
    address = ""
    try:
        address = normal_address(email)
    except InvalidSubscription as exc:
        wrong.update(exc.fields)
    if not consent:
        wrong["zgoda"] = "Zaznacz zgodę, aby się zapisać."
    if wrong:
        raise InvalidSubscription(wrong)
    return address


def _limit(limit: HourlyLimit, key: str) -> None:
    verdict = limit.take(key)
    if verdict.wait:
        raise PortalTooManyAttempts(
            verdict.wait, "Zbyt wiele prób zapisu. Spróbuj ponownie za godzinę."
        )


def _expired(request: web.Request, error: AnnouncementError) -> web.Response:
    return page(request, "ogloszenia_komunikat.html", status=error.status,
                section="ogloszenia", tone="warn", heading="Link nieważny", text=error.message,
                link=(PAGE, "Przejdź do strony powiadomień"))  # fmt: skip
