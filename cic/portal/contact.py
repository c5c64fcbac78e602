"""The contact form as a portal page (no JavaScript): it sends through the web-form channel
(``cic.channels.webform``), so a message becomes a report with channel "www" in the same
queue as e-mail, with the same token, consent, honeypot and hourly limits as the JSON API.

GET  /e-urzad/kontakt            the form (and the office's contact details)
POST /e-urzad/kontakt            send -> 303 to the thank-you page, or the form again with errors
GET  /e-urzad/kontakt/wyslano    the thank-you page with the report's number
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from cic.channels.form_errors import FormRateLimited, FormRefused
from cic.channels.webform import WebForm
from cic.channels.webform_schemas import FIELDS, HONEYPOT, FormIn
from cic.errors import CicError
from cic.http.endpoint import documented
from cic.http.json_api import form_data
from cic.http.schemas import field_errors
from cic.portal.errors import PortalError
from cic.portal.render import form_values, page, see_other

PATH = "/e-urzad/kontakt"
TEXT_FIELDS = ("topic", "message", "name", "email", "phone", HONEYPOT)
SHOWN = ("topic", "message", "name", "email", "phone", "consent")
MAX_POST = 64 * 1024


def routes(form: WebForm) -> list[web.RouteDef]:
    """The contact page, its POST and the thank-you page."""

    def show(
        request: web.Request, values: dict[str, str], errors: dict[str, str],
        status: int = 200, problem: str = "",
    ) -> web.Response:  # fmt: skip
        blank = form.blank()
        return page(
            request, "kontakt.html", status=status, section="kontakt", token=blank["token"],
            consent_text=blank["consent"], fields={f["name"]: f for f in FIELDS},
            honeypot=HONEYPOT, values=values, errors=errors, problem=problem,
        )  # fmt: skip

    @documented("Portal: formularz kontaktowy (bez JavaScriptu i bez logowania)")
    async def blank(request: web.Request) -> web.StreamResponse:
        return show(request, {}, {})

    @documented(
        "Portal: wysłanie formularza kontaktowego -> zgłoszenie (kanał www) w kolejce wiadomości",
        description="Pola jak w POST /api/formularz, zakodowane jak formularz HTML. Błędy: ta"
        " sama strona z opisem (400, 429 z Retry-After).",
        status=303, errors=(400, 413, 429, 503),
    )  # fmt: skip
    async def send(request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_POST:
            raise web.HTTPRequestEntityTooLarge(MAX_POST, request.content_length or 0)
        data = await form_data(request, PortalError)
        values = form_values(data, *TEXT_FIELDS, limit=20_000)
        values["consent"] = "tak" if data.get("consent") else ""
        body: dict[str, Any] = {**values, "token": str(data.get("token", ""))[:200],
                                "consent": bool(values["consent"])}  # fmt: skip
        try:
            message = FormIn.model_validate(body)
        except ValidationError as exc:
            errors = field_errors(FormIn, exc)
            shown = {k: v for k, v in errors.items() if k in SHOWN}
            problem = "" if shown else "Formularz jest nieważny. Odśwież stronę i wyślij ponownie."
            return show(request, values, shown, 400, problem)
        try:
            receipt = await form.submit(message, request.remote or "")
        except FormRateLimited as exc:
            response = show(request, values, {}, exc.status, exc.message)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except FormRefused as exc:
            errors = {"consent": exc.message} if exc.error_id == "form_consent_missing" else {}
            return show(request, values, errors, exc.status, "" if errors else exc.message)
        except CicError as exc:
            return show(request, values, {}, exc.status, exc.message)
        number = receipt["report"]
        raise see_other(f"{PATH}/wyslano" + (f"?nr={number}" if number else ""))

    @documented("Portal: podziękowanie po wysłaniu formularza kontaktowego (numer zgłoszenia)")
    async def sent(request: web.Request) -> web.StreamResponse:
        number = request.query.get("nr", "")
        shown = number if number.isascii() and number.isdigit() and len(number) <= 12 else ""
        return page(request, "kontakt_wyslano.html", section="kontakt", number=shown)

    return [web.get(PATH, blank), web.post(PATH, send), web.get(f"{PATH}/wyslano", sent)]
