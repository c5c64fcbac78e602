"""The public web form over HTTP (no sign-in; the resident portal calls it).

GET  /api/formularz    a blank form: {token, consent, fields, honeypot, min_seconds}
POST /api/formularz    the message -> 201 {report, message}

Both are public paths (``cic.auth.middleware``); a POST must still come from a page of this
server (the Origin/Referer check every state-changing request gets) and carry the form's
token in its JSON body.
"""

from __future__ import annotations

from aiohttp import web

from cic.channels.form_errors import FormRefused
from cic.channels.webform import WebForm
from cic.channels.webform_schemas import FormIn, FormOut, FormReceipt
from cic.http.endpoint import documented
from cic.http.schemas import read_body

PATH = "/api/formularz"
MAX_BODY = 128 * 1024


def routes(form: WebForm) -> list[web.RouteDef]:
    """The form's two endpoints."""

    @documented(
        "Pusty formularz kontaktowy dla mieszkańców: token, treść zgody, pola (bez logowania)",
        returns=FormOut,
    )
    async def blank(request: web.Request) -> web.StreamResponse:
        return web.json_response(form.blank())

    @documented(
        "Wiadomość z formularza kontaktowego (bez logowania): zgłoszenie w kolejce wiadomości",
        description="Odmowy: 400 (invalid_form, form_token_invalid, form_too_fast,"
        " form_expired, form_token_used, form_consent_missing), 429 (form_rate_limited,"
        " form_busy; nagłówek Retry-After). Pole-pułapka (honeypot) wypełnione: ta sama"
        " odpowiedź 201 bez numeru zgłoszenia.",
        body=FormIn,
        returns=FormReceipt,
        status=201,
        errors=(400, 403, 429, 503),
    )
    async def send(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, FormIn, FormRefused, MAX_BODY)
        receipt = await form.submit(body, request.remote or "")
        return web.json_response(receipt, status=201)

    return [web.get(PATH, blank), web.post(PATH, send)]
