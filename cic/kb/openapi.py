"""OpenAPI 3.1 description of the knowledge-base API (``paths`` and ``schemas`` to merge).

The application has no OpenAPI document yet; whoever adds one merges ``PATHS`` into its
``paths`` and ``SCHEMAS`` into ``components.schemas``.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Błędne dane",
        401: "Niezalogowany",
        403: "Brak uprawnień",
        404: "Nie ma takiego artykułu",
        409: "Artykuł zmienił się w międzyczasie",
        503: "Baza danych niedostępna",
    }
    return {str(s): _json(_ERROR, text[s]) for s in statuses}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "KbHit": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "department": {"type": "string"},
            "department_name": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "number"},
            "title_html": {"type": "string", "description": "escaped, matches in <mark>"},
            "snippet": {"type": "string", "description": "escaped, matches in <mark>"},
            "snippet_parts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "mark": {"type": "boolean"}},
                },
            },
            "needs_local_check": {"type": "boolean"},
        },
    },
    "KbArticle": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "department": {"type": "string"},
            "department_name": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "updated": {"type": "string", "format": "date"},
            "needs_local_check": {"type": "boolean"},
            "local_check": {"type": "string"},
            "version": {"type": "integer"},
            "usage_count": {"type": "integer"},
            "active": {"type": "boolean"},
            "body": {"type": "string", "description": "Markdown"},
            "html": {"type": "string", "description": "rendered, raw HTML escaped"},
            "source": {"type": "string", "enum": ["file", "console"]},
            "author": {"type": "string"},
            "changed_at": {"type": "string", "format": "date-time"},
        },
    },
    "KbEdit": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {"type": "string"},
            "title": {"type": "string"},
            "department": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "needs_local_check": {"type": "boolean"},
            "local_check": {"type": "string"},
            "active": {"type": "boolean"},
            "base_version": {"type": "integer"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/kb/search": {
        "get": {
            "summary": "Wyszukiwanie artykułów (lematy, literówki, ranking BM25F)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 200},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                },
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "results": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/KbHit"},
                            },
                        },
                    },
                    "Wyniki, najlepsze pierwsze",
                ),
                **_errors(400, 401),
            },
        }
    },
    "/api/kb/suggest": {
        "get": {
            "summary": "Artykuły dla konsoli według tematów i komórki",
            "parameters": [
                {
                    "name": "topics",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "slugi po przecinku",
                },
                {"name": "department", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                },
            ],
            "responses": {
                "200": _json({"type": "array", "items": {"type": "object"}}, "Artykuły"),
                **_errors(400, 401),
            },
        }
    },
    "/api/kb/articles/{slug}": {
        "parameters": [_SLUG],
        "get": {
            "summary": "Bieżąca wersja artykułu",
            "responses": {
                "200": _json({"$ref": "#/components/schemas/KbArticle"}, "Artykuł"),
                **_errors(401, 404, 503),
            },
        },
        "put": {
            "summary": "Nowa wersja artykułu (kierownik zmiany, administrator)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/KbEdit"}}
                },
            },
            "responses": {
                "200": _json({"$ref": "#/components/schemas/KbArticle"}, "Zapisano"),
                **_errors(400, 401, 403, 404, 409, 503),
            },
        },
    },
    "/api/kb/articles/{slug}/use": {
        "parameters": [_SLUG],
        "post": {
            "summary": "Użycie artykułu w rozmowie (raz na rozmowę i użytkownika)",
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"call_id": {"type": "string"}}}
                    }
                }
            },
            "responses": {
                "201": _json({"type": "object"}, "Policzono"),
                "200": _json({"type": "object"}, "Już policzone w tej rozmowie"),
                **_errors(400, 401, 404, 503),
            },
        },
    },
    "/api/kb/articles/{slug}/versions": {
        "parameters": [_SLUG],
        "get": {
            "summary": "Wszystkie wersje artykułu, najnowsza pierwsza",
            "responses": {
                "200": _json({"type": "array", "items": {"type": "object"}}, "Wersje"),
                **_errors(401, 404, 503),
            },
        },
    },
}
