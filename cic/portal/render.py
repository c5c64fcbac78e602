"""Rendering a portal page: the shared layout with the office's details, and the answers the
portal's pages share (HTML, a form shown again with its errors, a redirect after POST)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from cic.auth.templates import env
from cic.portal.site import SITE

#: The sections of the portal's main menu: (section, path, label).
SECTIONS = (
    ("uslugi", "/e-urzad/uslugi", "Załatw sprawę"),
    ("sprawa", "/e-urzad/sprawa", "Stan sprawy"),
    ("naleznosci", "/e-urzad/naleznosci", "Należności"),
    ("ogloszenia", "/e-urzad/ogloszenia", "Ogłoszenia"),
    ("konsultacje", "/e-urzad/konsultacje", "Konsultacje"),
    ("kontakt", "/e-urzad/kontakt", "Kontakt"),
)


def page(
    request: web.Request, template: str, *, status: int = 200, section: str = "",
    **context: Any,
) -> web.Response:  # fmt: skip
    """Render ``web/templates/portal/<template>`` (which extends ``portal/base.html``) with
    ``site`` (the office), ``sections``, ``section`` (the menu item to mark) and ``path``."""
    text = env.get_template(f"portal/{template}").render(
        site=request.app[SITE], sections=SECTIONS, section=section, path=request.path,
        **context,
    )  # fmt: skip
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def see_other(location: str) -> web.HTTPSeeOther:
    """The redirect after a successful POST (a reload does not send the form again)."""
    return web.HTTPSeeOther(location)


def form_values(data: Mapping[str, Any], *names: str, limit: int = 5000) -> dict[str, str]:
    """The named fields of submitted ``data`` as trimmed text (missing ones empty; each cut
    to ``limit`` characters), to validate and to show again after an error."""
    return {name: str(data.get(name, "")).strip()[:limit] for name in names}
