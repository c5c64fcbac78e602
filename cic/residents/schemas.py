"""JSON Schemas of a resident's fields, for the API description of every endpoint that takes
them (the residents API, the data-protection officer's rectification)."""

from __future__ import annotations

from typing import Any

from cic.residents.service import MAX_LABEL, MAX_NAME, MAX_NOTE, MAX_NUMBERS

NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_NAME}
NOTE: dict[str, Any] = {"type": "string", "maxLength": MAX_NOTE}
PHONE: dict[str, Any] = {"type": "string", "description": "np. +48 600 100 200 albo 600100200"}
NUMBER: dict[str, Any] = {
    "type": "object",
    "properties": {"number": PHONE, "label": {"type": "string", "maxLength": MAX_LABEL}},
    "required": ["number"],
}
NUMBERS: dict[str, Any] = {
    "type": "array",
    "maxItems": MAX_NUMBERS,
    "items": {"anyOf": [PHONE, NUMBER]},
}
