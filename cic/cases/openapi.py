"""The hand-written OpenAPI 3.1 description of contact reports and cases (``cic.web.openapi``
merges it into the document of every route; the other domains' parts are generated from their
typed schemas)."""

from __future__ import annotations

import copy
from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_STR = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
_ID = {"name": "id", "in": "path", "required": True, "schema": _INT, "description": "nr zgłoszenia"}
_SIG = {
    "name": "signature",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 80},
    "description": "znak sprawy KOMÓRKA.JRWA.NR.ROK, np. FN.3110.12.2026",
}
_TEXT = {
    400: "Błędne dane (komunikat po polsku)",
    401: "Niezalogowany",
    403: "Brak uprawnień",
    404: "Nie ma takiej sprawy lub zgłoszenia",
    409: "Zmiana nie pasuje do stanu sprawy",
    503: "Baza danych niedostępna",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(_ERROR, _TEXT[s]) for s in statuses}


def _query(name: str, schema: dict[str, Any], text: str, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": text,
    }


_LIST = {"type": "array", "items": _ref("CaseSummary")}
_CALLS = _body(
    {
        "type": "object",
        "properties": {"call_id": _STR, "call_ids": {"type": "array", "items": _STR}},
    }
)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Party": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "maxLength": 300},
            "role": {"type": "string", "maxLength": 100, "default": "strona"},
            "contact": {"type": "string", "maxLength": 300},
        },
    },
    "Report": {
        "type": "object",
        "properties": {
            "id": _INT,
            "topic": _STR,
            "note": _STR,
            "department": _STR,
            "status": {"type": "string", "enum": ["nowe", "w_toku", "przekazane", "zamkniete"]},
            "status_label": _STR,
            "owner": _STR,
            "created_by": _STR,
            "case": {"type": ["string", "null"]},
            "calls": {"type": "array", "items": _STR},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "ReportInput": {
        "type": "object",
        "properties": {
            "topic": {"type": "string", "maxLength": 200},
            "note": {"type": "string", "maxLength": 20000, "description": "notatka służbowa"},
            "department": _STR,
            "owner": _STR,
            "call_id": _STR,
            "call_ids": {"type": "array", "items": _STR},
            "status": {"type": "string", "enum": ["nowe", "w_toku", "przekazane", "zamkniete"]},
        },
    },
    "CaseSummary": {
        "type": "object",
        "properties": {
            "signature": _STR,
            "unit": _STR,
            "jrwa": _STR,
            "number": _INT,
            "year": _INT,
            "title": _STR,
            "status": {
                "type": "string",
                "enum": ["wszczeta", "w_toku", "zawieszona", "zakonczona"],
            },
            "status_label": _STR,
            "assigned_to": _STR,
            "started_on": _DATE,
            "closed_on": {"type": ["string", "null"], "format": "date"},
            "suspended_on": {"type": ["string", "null"], "format": "date"},
            "deadline_kind": {
                "type": "string",
                "enum": ["niezwlocznie", "miesiac", "dwa_miesiace", "zaswiadczenie", "brak"],
            },
            "deadline_kind_label": _STR,
            "deadline": {"type": ["string", "null"], "format": "date"},
            "overdue": {"type": "boolean"},
            "due_soon": {"type": "boolean"},
            "days_left": {"type": ["integer", "null"]},
            "reminder": {"type": ["string", "null"], "description": "art. 36 KPA"},
        },
    },
    "Case": {
        "allOf": [
            _ref("CaseSummary"),
            {
                "type": "object",
                "properties": {
                    "parties": {"type": "array", "items": _ref("Party")},
                    "calls": {"type": "array", "items": _STR},
                    "reports": {"type": "array", "items": _INT},
                    "registered_by": _STR,
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
        ]
    },
    "Receipt": {
        "allOf": [
            _ref("Case"),
            {
                "type": "object",
                "properties": {
                    "pin": {"type": "string", "pattern": "^[0-9]{6}$", "description": "tylko raz"},
                    "pin_notice": _STR,
                },
            },
        ]
    },
    "CaseInput": {
        "type": "object",
        "required": ["unit", "jrwa", "title"],
        "properties": {
            "unit": {"type": "string", "description": "symbol komórki, np. FN lub FN-I"},
            "jrwa": {"type": "string", "pattern": "^[0-9]{1,4}$"},
            "title": {"type": "string", "maxLength": 500},
            "started_on": _DATE,
            "deadline_kind": {
                "type": "string",
                "enum": ["niezwlocznie", "miesiac", "dwa_miesiace", "zaswiadczenie", "brak"],
            },
            "assigned_to": _STR,
            "parties": {"type": "array", "items": _ref("Party")},
            "call_id": _STR,
            "call_ids": {"type": "array", "items": _STR},
            "signature": {
                "type": "string",
                "description": "tylko przy zgłoszeniu: istniejąca sprawa",
            },
        },
    },
    "CaseChange": {
        "type": "object",
        "properties": {
            "title": _STR,
            "status": {
                "type": "string",
                "enum": ["wszczeta", "w_toku", "zawieszona", "zakonczona"],
            },
            "assigned_to": _STR,
            "deadline_kind": _STR,
            "deadline": _DATE,
            "reason": {"type": "string", "description": "wymagane przy zmianie terminu"},
            "parties": {"type": "array", "items": _ref("Party")},
        },
    },
    "MetrykaEntry": {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "actor": _STR,
            "action": _STR,
            "description": _STR,
            "document_id": _STR,
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/zgloszenia": {
        "get": {
            "summary": "Zgłoszenia, najnowsze pierwsze",
            "parameters": [
                _query("call_id", _STR, "zgłoszenia tej rozmowy"),
                _query("status", _STR, "status"),
                _query("department", _STR, "komórka"),
                _query("owner", _STR, "właściciel"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "ile"),
            ],
            "responses": {
                "200": _json({"type": "array", "items": _ref("Report")}, "Zgłoszenia"),
                **_errors(400, 401),
            },
        },
        "post": {
            "summary": "Nowe zgłoszenie (z rozmowy lub bez)",
            "requestBody": _body(_ref("ReportInput")),
            "responses": {"201": _json(_ref("Report"), "Utworzono"), **_errors(400, 401, 503)},
        },
    },
    "/api/zgloszenia/{id}": {
        "parameters": [_ID],
        "get": {
            "summary": "Jedno zgłoszenie",
            "responses": {"200": _json(_ref("Report"), "Zgłoszenie"), **_errors(400, 401, 404)},
        },
        "patch": {
            "summary": "Zmiana zgłoszenia; status przekazane z komórką przekazuje je",
            "requestBody": _body(_ref("ReportInput")),
            "responses": {
                "200": _json(_ref("Report"), "Zapisano"),
                **_errors(400, 401, 403, 404),
            },
        },
    },
    "/api/zgloszenia/{id}/calls": {
        "parameters": [_ID],
        "post": {
            "summary": "Połącz rozmowy ze zgłoszeniem (i z jego sprawą)",
            "requestBody": _CALLS,
            "responses": {"200": _json(_ref("Report"), "Połączono"), **_errors(400, 401, 404)},
        },
    },
    "/api/zgloszenia/{id}/sprawa": {
        "parameters": [_ID],
        "post": {
            "summary": "Zarejestruj sprawę ze zgłoszenia albo połącz je z istniejącą (signature)",
            "requestBody": _body(_ref("CaseInput")),
            "responses": {
                "201": _json(_ref("Receipt"), "Zarejestrowano; PIN podany tylko raz"),
                "200": _json(_ref("Case"), "Połączono z istniejącą sprawą"),
                **_errors(400, 401, 403, 404, 409, 503),
            },
        },
    },
    "/api/sprawy": {
        "get": {
            "summary": "Sprawy (konsultant: tylko połączone z jego zgłoszeniami)",
            "parameters": [
                _query("call_id", _STR, "sprawy tej rozmowy"),
                _query("status", _STR, "status"),
                _query("komorka", _STR, "komórka"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "ile"),
            ],
            "responses": {"200": _json(_LIST, "Sprawy"), **_errors(400, 401)},
        },
        "post": {
            "summary": "Rejestracja sprawy (specjalista, kierownik, administrator)",
            "requestBody": _body(_ref("CaseInput")),
            "responses": {
                "201": _json(_ref("Receipt"), "Zarejestrowano; PIN podany tylko raz"),
                **_errors(400, 401, 403, 503),
            },
        },
    },
    "/api/sprawy/terminy": {
        "get": {
            "summary": "Sprawy po terminie (z przypomnieniem z art. 36) i z bliskim terminem",
            "parameters": [
                _query("dni", {"type": "integer", "minimum": 0, "maximum": 90}, "ile dni")
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "today": _DATE,
                            "soon_days": _INT,
                            "overdue": _LIST,
                            "due_soon": _LIST,
                        },
                    },
                    "Terminy",
                ),
                **_errors(400, 401, 403),
            },
        }
    },
    "/api/sprawy/{signature}": {
        "parameters": [_SIG],
        "get": {
            "summary": "Jedna sprawa",
            "responses": {"200": _json(_ref("Case"), "Sprawa"), **_errors(400, 401, 404)},
        },
        "patch": {
            "summary": "Zmiana sprawy (status, przydział, strony, termin)",
            "requestBody": _body(_ref("CaseChange")),
            "responses": {
                "200": _json(_ref("Case"), "Zapisano"),
                **_errors(400, 401, 403, 404, 409),
            },
        },
    },
    "/api/sprawy/{signature}/metryka": {
        "parameters": [_SIG],
        "get": {
            "summary": "Metryka sprawy: każda czynność (data, kto, co, dokument)",
            "responses": {
                "200": _json({"type": "array", "items": _ref("MetrykaEntry")}, "Metryka"),
                **_errors(400, 401, 404),
            },
        },
    },
    "/api/sprawy/{signature}/calls": {
        "parameters": [_SIG],
        "post": {
            "summary": "Połącz rozmowy ze sprawą",
            "requestBody": _CALLS,
            "responses": {"200": _json(_ref("Case"), "Połączono"), **_errors(400, 401, 403, 404)},
        },
    },
    "/api/sprawy/{signature}/dokumenty": {
        "parameters": [_SIG],
        "post": {
            "summary": "Dokument dołączony do sprawy (wpis w metryce)",
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["document_id"],
                    "properties": {"document_id": _STR, "description": _STR},
                }
            ),
            "responses": {
                "201": _json({"type": "array", "items": _ref("MetrykaEntry")}, "Metryka"),
                **_errors(400, 401, 403, 404),
            },
        },
    },
    "/api/spis-spraw": {
        "get": {
            "summary": "Spis spraw komórki, klasy JRWA i roku",
            "parameters": [
                _query("komorka", _STR, "symbol komórki", True),
                _query("jrwa", _STR, "symbol klasy", True),
                _query("rok", _INT, "rok", True),
            ],
            "responses": {"200": _json({"type": "object"}, "Spis spraw"), **_errors(400, 401, 403)},
        }
    },
    "/api/jrwa": {
        "get": {
            "summary": "Klasy JRWA urzędu (lub wbudowany wycinek)",
            "responses": {"200": _json({"type": "object"}, "Wykaz"), **_errors(401)},
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "Ten opis API",
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **_errors(401)},
        }
    },
}


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (a fresh copy)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cic — baza wiedzy, zgłoszenia i sprawy",
            "version": "1",
            "description": "Wymaga zalogowania (sesja lub nagłówek Authorization: Bearer).",
        },
        "paths": copy.deepcopy(PATHS),
        "components": {"schemas": copy.deepcopy(SCHEMAS)},
    }
