"""The public confirmation page of a message sent by SMS or e-mail.

GET  /e-urzad/potwierdz/{token}   a page with one button (opening the link confirms nothing:
                                  mail systems' link scanners open links)
POST /e-urzad/potwierdz/{token}   confirm (``NotifyService.confirm``)

A forged, altered or unknown token gets a Polish page saying the link is not valid (404).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cic.http.endpoint import documented
from cic.http.json_api import form_fields
from cic.notify.errors import UnknownDelivery
from cic.notify.links import PATH, ConfirmLinks
from cic.notify.service import NotifyService
from cic.portal.errors import PortalError
from cic.portal.forms import PortalForms
from cic.portal.render import page

TEMPLATE = "powiadomienie_potwierdz.html"
INVALID = (
    "Ten link potwierdzenia jest nieprawidłowy. Sprawdź, czy skopiowano go w całości z "
    "wiadomości SMS lub e-mail."
)
DONE = "Dziękujemy. Urząd wie, że wiadomość do Ciebie dotarła."


def routes(service: NotifyService, links: ConfirmLinks, forms: PortalForms) -> list[web.RouteDef]:
    """The confirmation page's routes."""

    async def delivery_of(token: str) -> dict[str, Any] | None:
        delivery_id = links.delivery(token)
        if delivery_id is None:
            return None
        try:
            return await service.get(delivery_id)
        except UnknownDelivery:
            return None

    def invalid(request: web.Request) -> web.Response:
        return page(request, TEMPLATE, status=404, heading="Link nieważny", tone="warn",
                    text=INVALID)  # fmt: skip

    def state_page(request: web.Request, status: str) -> web.Response | None:
        if status == "confirmed":
            return page(request, TEMPLATE, heading="Odbiór potwierdzony", tone="ok", text=DONE)
        if status == "cancelled":
            return page(request, TEMPLATE, heading="Wiadomość odwołana", tone="warn",
                        text="Urząd odwołał tę wiadomość; nie trzeba jej potwierdzać.")  # fmt: skip
        return None

    @documented("Potwierdzenie odbioru powiadomienia: strona z przyciskiem (HTML)",
                errors=(404,))  # fmt: skip
    async def show(request: web.Request) -> web.StreamResponse:
        delivery = await delivery_of(request.match_info["token"])
        if delivery is None:
            return invalid(request)
        done = state_page(request, delivery["status"])
        if done is not None:
            return done
        return page(request, TEMPLATE, heading="Potwierdź odbiór wiadomości",
                    action=request.path, form_token=forms.token())  # fmt: skip

    @documented("Potwierdzenie odbioru powiadomienia (formularz)", errors=(400, 404))
    async def confirm(request: web.Request) -> web.StreamResponse:
        delivery = await delivery_of(request.match_info["token"])
        if delivery is None:
            return invalid(request)
        try:
            forms.check(await form_fields(request, PortalError))
        except PortalError as exc:
            return page(request, TEMPLATE, status=exc.status,
                        heading="Potwierdź odbiór wiadomości", action=request.path,
                        form_token=forms.token(), problem=exc.message)  # fmt: skip
        view = await service.confirm(int(delivery["id"]))
        return state_page(request, view["status"]) or page(
            request, TEMPLATE, heading="Odbiór potwierdzony", tone="ok", text=DONE
        )

    return [web.get(PATH + "/{token}", show), web.post(PATH + "/{token}", confirm)]
