"""``/api/openapi.json`` (the generated OpenAPI document) and ``/api/docs`` (the same, as a
readable Polish page); both for signed-in users and the API token, like the rest of ``/api/``."""

from __future__ import annotations

import functools
import json
from typing import Any

from aiohttp import web

from cic.auth.templates import html, render
from cic.http.endpoint import documented
from cic.web.openapi import document


def _groups(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Operations grouped by tag, for the page."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            groups.setdefault(op.get("tags", ["inne"])[0], []).append({
                "method": method, "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [*item.get("parameters", []), *op.get("parameters", [])],
                "body": json.dumps(body["schema"], ensure_ascii=False, indent=2)
                if "schema" in body else "",
                "responses": [(s, r.get("description", "")) for s, r in op["responses"].items()],
            })  # fmt: skip
    return sorted(groups.items())


def routes(app: web.Application) -> list[web.RouteDef]:
    """The two routes; the document is built once, from ``app``'s routes, on first use."""

    @functools.cache
    def spec() -> dict[str, Any]:
        return document(app)

    @documented("Dokument OpenAPI 3.1 całego API kontrolera", errors=(401,))
    async def openapi(_request: web.Request) -> web.StreamResponse:
        return web.json_response(spec())

    @documented("Opis API kontrolera (strona HTML)", errors=(401,), media="text/html")
    async def docs(request: web.Request) -> web.StreamResponse:
        current = spec()
        groups = _groups(current)
        count = sum(len(ops) for _tag, ops in groups)
        page = render(request, "api_docs.html", info=current["info"], groups=groups, count=count)
        return html(page)

    return [web.get("/api/openapi.json", openapi), web.get("/api/docs", docs)]
