"""Rendering a portal page: the shared layout with the office's details, and the answers the
portal's pages share (HTML, a form shown again with its errors, a redirect after POST)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cic.auth.templates import env
from cic.errors import CicError
from cic.portal.site import BANNERS, SITE

#: The sections of the portal's main menu: (section, path, label).
SECTIONS = (
    ("uslugi", "/e-urzad/uslugi", "Załatw sprawę"),
    ("sprawa", "/e-urzad/sprawa", "Stan sprawy"),
    ("naleznosci", "/e-urzad/naleznosci", "Należności"),
    ("ogloszenia", "/e-urzad/ogloszenia", "Ogłoszenia"),
    ("konsultacje", "/e-urzad/konsultacje", "Konsultacje"),
    ("zgloszenie", "/e-urzad/zgloszenie-zagrozenia", "Zgłoś zagrożenie"),
    ("ostrzezenia", "/e-urzad/ostrzezenia", "Ostrzeżenia"),
    ("kontakt", "/e-urzad/kontakt", "Kontakt"),
)


def page(
    request: web.Request, template: str, *, status: int = 200, section: str = "",
    **context: Any,
) -> web.Response:  # fmt: skip
    """Render ``web/templates/portal/<template>`` (which extends ``portal/base.html``) with
    ``site`` (the office), ``sections``, ``section`` (the menu item to mark), ``path`` and
    ``banners`` (the warnings in force, when the warnings section is installed)."""
    banners = request.app[BANNERS]() if BANNERS in request.app else []
    text = env.get_template(f"portal/{template}").render(
        site=request.app[SITE], sections=SECTIONS, section=section, path=request.path,
        banners=banners, **context,
    )  # fmt: skip
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


TITLES = {400: "Nie można przyjąć", 404: "Nie ma takiej strony", 405: "Nie ma takiej strony",
          429: "Zbyt wiele prób", 503: "Chwilowa przerwa"}  # fmt: skip


def error_page(request: web.Request, error: CicError, status: int = 0) -> web.Response:
    """A refusal as a portal page (JSON for a client that asks only for JSON)."""
    status = status or error.status
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return web.json_response(error.to_dict(), status=status, headers=headers)
    title = TITLES.get(status, "Błąd")
    response = page(request, "blad.html", status=status, title=title, message=error.message)
    response.headers.update(headers)
    return response


def see_other(location: str) -> web.HTTPSeeOther:
    """The redirect after a successful POST (a reload does not send the form again)."""
    return web.HTTPSeeOther(location)


def form_values(data: Mapping[str, Any], *names: str, limit: int = 5000) -> dict[str, str]:
    """The named fields of submitted ``data`` as trimmed text (missing ones empty; each cut
    to ``limit`` characters), to validate and to show again after an error."""
    return {name: str(data.get(name, "")).strip()[:limit] for name in names}
