"""The OpenAPI 3.1 document of the whole controller, generated from its routes.

Every route of the app is in it, from the note its view carries
(``cic.http.endpoint.documented``: a Polish summary, error statuses, and the query, body and
answer as the typed schemas the view reads and answers with, ``cic.http.schemas``). Path
parameters get the pattern the router matches them with. A route whose view has no note
still appears, with an empty summary, and ``tests/component/test_openapi.py`` fails on it.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from cic.auth.csrf import UNSAFE_METHODS
from cic.auth.middleware import is_public
from cic.auth.monitoring import MONITORING_PATHS
from cic.http.endpoint import Endpoint, endpoint_of
from cic.http.schemas import json_schema, query_parameters

ERROR_TEXT = {
    400: "Błędne dane",
    401: "Niezalogowany",
    403: "Brak uprawnień",
    404: "Nie znaleziono",
    409: "Konflikt ze stanem obiektu",
    413: "Za duże dane",
    429: "Zbyt wiele prób",
    503: "Centrala lub baza danych niedostępna",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
SUCCESS_TEXT = {101: "Przejście na WebSocket", 200: "Wykonano", 201: "Utworzono",
                204: "Bez treści", 301: "Przeniesiono na stałe", 302: "Przekierowanie",
                303: "Przekierowanie"}  # fmt: skip
NO_CONTENT = (101, 204, 301, 302, 303)
_GROUP = re.compile(r"\(\?P<(\w+)>")


def path_patterns(resource: web.AbstractResource) -> tuple[str, dict[str, str]]:
    """The resource's path in OpenAPI form and each parameter's regular expression."""
    info = resource.get_info()
    if "path" in info:
        return str(info["path"]), {}
    formatter = str(info.get("formatter", resource.canonical))
    pattern = info.get("pattern")
    source = pattern.pattern if isinstance(pattern, re.Pattern) else ""
    patterns: dict[str, str] = {}
    for match in _GROUP.finditer(source):
        depth, end = 1, match.end()
        while end < len(source) and depth:  # the group's own parentheses, balanced
            if source[end] == "\\":
                end += 2
                continue
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            end += 1
        patterns[match.group(1)] = source[match.end() : end - 1]
    return formatter, patterns


def _domain(handler: Any) -> str:
    while hasattr(handler, "__wrapped__"):
        handler = handler.__wrapped__
    parts = str(getattr(handler, "__module__", "")).split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "cic" else "inne"


def _error(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_TEXT.get(status, "Błąd"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def operation(
    path: str, method: str, patterns: dict[str, str], note: Endpoint | None, tag: str
) -> dict[str, Any]:
    """One operation from a view's note (an empty summary when it has none)."""
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": f"^(?:{regex})$"}}
        for name, regex in patterns.items()
    ]  # fmt: skip
    op: dict[str, Any] = {"summary": note.summary if note else "", "tags": [tag]}
    if note and note.description:
        op["description"] = note.description
    if note:
        params += [
            {"name": name, "in": "query", "required": required, "schema": schema}
            for name, schema, required in query_parameters(note.query)
        ]
    if params:
        op["parameters"] = params
    if note and note.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": json_schema(note.body)}},
        }
    status = note.status if note else 200
    json_answer = path.startswith("/api/") or bool(note and note.returns)
    kind = "application/json" if json_answer else "text/html"
    answer: dict[str, Any] = {"description": SUCCESS_TEXT.get(status, "Wykonano")}
    if status not in NO_CONTENT:
        schema = json_schema(note.returns, "serialization") if note and note.returns else {}
        if note and note.media:
            kind, schema = note.media, {"type": "string", "format": "binary"}
        elif kind == "text/html":
            schema = {"type": "string"}
        answer["content"] = {kind: {"schema": schema}}
    errors = sorted({*(note.errors if note else ()), *middleware_answers(path, method)})
    op["responses"] = {str(status): answer, **{str(s): _error(s) for s in errors if s != 302}}
    if 302 in errors:
        op["responses"]["302"] = {"description": "Niezalogowany: przekierowanie do logowania"}
    for code, text in (note.also if note else {}).items():
        op["responses"][str(code)] = {"description": text}
    return op


def middleware_answers(path: str, method: str) -> set[int]:
    """What the middleware answers on this route before its view runs (``method`` upper
    case): a URL carrying NUL (400), signed out (401, or for a page a 302 to the sign-in
    form), a change without the session's CSRF token or from another origin (403)."""
    answers = {400}
    if path in MONITORING_PATHS:  # an allowed address or the monitoring token, else 403
        return answers | {403}
    if not is_public(path):
        answers.add(302 if method == "GET" and not path.startswith("/api/") else 401)
    if method in UNSAFE_METHODS:
        answers.add(403)
    return answers


def document(app: web.Application) -> dict[str, Any]:
    """The whole document for ``app`` (a fresh copy on every call)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        if route.method in ("HEAD", "*") or route.resource is None:
            continue
        path, patterns = path_patterns(route.resource)
        if path.startswith("/static"):
            continue
        note = endpoint_of(route.handler)
        paths.setdefault(path, {})[route.method.lower()] = operation(
            path, route.method, patterns, note, _domain(route.handler)
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cic — centrum obsługi mieszkańców: API kontrolera",
            "version": "1",
            "description": (
                "Wymaga zalogowania: sesja przeglądarki (z tokenem CSRF przy zmianach) albo "
                "nagłówek Authorization: Bearer z tokenem API. Błąd to zawsze "
                '{"error": identyfikator, "message": opis po polsku}.'
            ),
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
    }
