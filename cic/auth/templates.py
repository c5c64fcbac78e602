"""The Jinja2 environment of the web pages (autoescaped, Polish) and error rendering."""

from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

from cic import assets, polish_dates
from cic.auth.roles import CSRF_KEY, ROLE_LABELS, USER_KEY
from cic.errors import CicError

TEMPLATES = assets.folder("web") / "templates"
STATIC = assets.folder("web") / "static"

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
env.globals["role_labels"] = ROLE_LABELS
# Polish dates (DD.MM.RRRR GG:MM, office zone) for every page.
env.filters.update(polish_dates.FILTERS)

ERROR_PAGE = env.from_string(
    """{% extends "base.html" %}{% block title %}Błąd {{ status }}{% endblock %}
{% block content %}<h1>{{ title }}</h1><p class="error" role="alert">{{ message }}</p>
<p><a href="/">Strona główna</a></p>{% endblock %}"""
)
TITLES = {401: "Wymagane zalogowanie", 403: "Brak dostępu", 429: "Zbyt wiele prób"}


def render(request: web.Request, template: str | jinja2.Template, **context: Any) -> str:
    """Render with ``user``, ``csrf_token`` and ``page_path`` (the menu marks the page it is
    on) of the request in the context."""
    tpl = env.get_template(template) if isinstance(template, str) else template
    context.setdefault("user", request.get(USER_KEY))
    context.setdefault("page_path", request.path)
    context.setdefault("csrf_token", request.get(CSRF_KEY, ""))
    return tpl.render(**context)


def html(text: str, status: int = 200) -> web.Response:
    """A UTF-8 HTML response."""
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def error_response(request: web.Request, error: CicError) -> web.Response:
    """JSON for ``/api/`` and JSON clients, an HTML page otherwise."""
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    wants_json = request.path.startswith("/api/") or (
        "application/json" in request.headers.get("Accept", "")
        and "text/html" not in request.headers.get("Accept", "")
    )
    if wants_json:
        return web.json_response(error.to_dict(), status=error.status, headers=headers)
    title = TITLES.get(error.status, "Błąd")
    page = render(request, ERROR_PAGE, status=error.status, title=title, message=error.message)
    response = html(page, error.status)
    response.headers.update(headers)
    return response
