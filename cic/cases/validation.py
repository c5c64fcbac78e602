"""Checks of the values officials and agents send: Polish messages that name the field.

Text is stored verbatim (HTML, emoji, quotes and diacritics included; escaping is the page's
job); only what a database cannot keep or a person cannot see is refused: NUL and other
control characters, and text over the column's length.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cic.cases.errors import InvalidValue

LABELS = {
    "title": "tytuł sprawy",
    "topic": "temat zgłoszenia",
    "note": "notatka służbowa",
    "name": "imię i nazwisko lub nazwa strony",
    "role": "rola strony",
    "contact": "kontakt ze stroną",
    "assigned_to": "prowadzący sprawę",
    "owner": "właściciel zgłoszenia",
    "call_id": "identyfikator rozmowy",
    "document_id": "identyfikator dokumentu",
    "description": "opis czynności",
    "reason": "uzasadnienie",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
MAX_PARTIES = 50


def label(field: str) -> str:
    """The Polish name of ``field`` for messages."""
    return LABELS.get(field, field)


def text(
    body: dict[str, Any],
    field: str,
    max_length: int,
    *,
    required: bool = False,
    multiline: bool = False,
    default: str = "",
) -> str:
    """``body[field]`` as text, verbatim; refused with a Polish message when unusable."""
    value = body.get(field)
    if value is None:
        if required:
            raise InvalidValue(f"Pole „{label(field)}” jest wymagane.")
        return default
    return check_text(value, field, max_length, required=required, multiline=multiline)


def check_text(
    value: object, field: str, max_length: int, *, required: bool = False, multiline: bool = False
) -> str:
    """``value`` if it is acceptable text for ``field``."""
    if not isinstance(value, str):
        raise InvalidValue(f"Pole „{label(field)}” musi być tekstem.")
    if required and not value.strip():
        raise InvalidValue(f"Pole „{label(field)}” nie może być puste.")
    if len(value) > max_length:
        raise InvalidValue(f"Pole „{label(field)}” może mieć najwyżej {max_length} znaków.")
    if (_CONTROL if multiline else _CONTROL_LINE).search(value):
        raise InvalidValue(f"Pole „{label(field)}” zawiera niedozwolone znaki sterujące.")
    return value


def a_date(body: dict[str, Any], field: str, polish: str) -> date | None:
    """``body[field]`` as a date from ``RRRR-MM-DD`` (``None`` when absent)."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(f"{polish}: podaj datę w formacie RRRR-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(f"{polish}: podaj datę w formacie RRRR-MM-DD.") from None


def one_of(value: object, allowed: dict[str, str], polish: str) -> str:
    """``value`` if it is one of ``allowed``'s codes."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidValue(f"{polish}: dozwolone wartości to {', '.join(allowed)}.")
    return value


def parties(value: object) -> list[dict[str, str]]:
    """The list of parties: each with ``name``, ``role`` and an optional ``contact``."""
    if not isinstance(value, list) or len(value) > MAX_PARTIES:
        raise InvalidValue(
            f"Strony to lista (najwyżej {MAX_PARTIES}) obiektów z polami name, role."
        )
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidValue("Każda strona to obiekt z polami name, role i opcjonalnie contact.")
        out.append(
            {
                "name": text(item, "name", 300, required=True),
                "role": text(item, "role", 100, default="strona") or "strona",
                "contact": text(item, "contact", 300),
            }
        )
    return out


def call_ids(body: dict[str, Any]) -> list[str]:
    """``call_id`` (one) and ``call_ids`` (a list) from ``body``, validated, without repeats."""
    raw: list[object] = []
    if body.get("call_id") is not None:
        raw.append(body["call_id"])
    more = body.get("call_ids")
    if more is not None:
        if not isinstance(more, list) or len(more) > 100:
            raise InvalidValue("Pole call_ids to lista identyfikatorów rozmów (najwyżej 100).")
        raw.extend(more)
    return list(dict.fromkeys(check_text(c, "call_id", 128, required=True) for c in raw))
