"""The one JSON body reader of every endpoint, and query and path numbers.

A body is accepted only when it is UTF-8 JSON of at most ``MAX_BODY`` bytes, nested at most
``MAX_DEPTH`` levels, whose whole numbers lie within ±(2**53 - 1) (what a browser's JavaScript
holds exactly), with finite other numbers (no ``NaN``/``Infinity``) and strings without NUL or
unpaired surrogates (no database stores them). Anything else is refused with the caller's
domain error (400, its own stable ``error_id``, ``BadJson`` by default) and a Polish message.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from cic.errors import CicError

MAX_BODY = 256 * 1024
MAX_DEPTH = 20
MAX_INT = 2**53 - 1
MAX_ID = 2**31 - 1  # an integer primary key in PostgreSQL
NOT_AN_OBJECT = "Oczekiwano obiektu JSON."
_MAX_DIGITS = len(str(MAX_INT))
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadJson(CicError):
    """A request body (or query/path number) the API cannot read."""

    status = 400
    error_id = "bad_json"
    default_message = NOT_AN_OBJECT


class _Refused(ValueError):
    """Raised inside the parser hooks; carries the Polish message."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS or abs(value := int(text)) > MAX_INT:
        raise _Refused(f"Liczba całkowita spoza zakresu ±{MAX_INT}.")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("Liczba spoza zakresu.")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{text} nie jest liczbą dozwoloną w JSON.")


def _check_tree(value: Any) -> None:
    """Depth and strings, walked without recursion (a deep body must not exhaust the stack).

    A refused string is named by the field it is the value of, so the person knows what to fix.
    """
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, field = stack.pop()
        if isinstance(node, str):
            if _BAD_TEXT.search(node):
                where = f"Pole „{field[:40]}”: t" if field else "T"
                raise _Refused(
                    f"{where}ekst zawiera niedozwolone znaki sterujące (NUL) lub niesparowane"
                    " surogaty."
                )
            continue
        if not isinstance(node, (list, dict)):
            continue
        if depth > MAX_DEPTH:
            raise _Refused(f"Za głęboko zagnieżdżony JSON (najwyżej {MAX_DEPTH} poziomów).")
        if isinstance(node, dict):
            for key, child in node.items():
                named = key if not _BAD_TEXT.search(key) else ""
                stack.extend([(key, depth + 1, ""), (child, depth + 1, named)])
        else:
            stack.extend((child, depth + 1, field) for child in node)


def parse_json(raw: bytes, error: type[CicError] = BadJson) -> Any:
    """``raw`` as a JSON value within the limits above, else ``error`` with a Polish message."""
    if len(raw) > MAX_BODY:
        raise error(f"Za dużo danych w jednym żądaniu (najwyżej {MAX_BODY // 1024} kB).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error("Treść żądania musi być tekstem JSON w UTF-8.") from None
    try:
        value = json.loads(
            text, parse_int=_int, parse_float=_float, parse_constant=_constant
        )  # fmt: skip
        _check_tree(value)
    except _Refused as exc:
        raise error(str(exc)) from None
    except RecursionError:
        raise error(f"Za głęboko zagnieżdżony JSON (najwyżej {MAX_DEPTH} poziomów).") from None
    except ValueError:
        raise error(NOT_AN_OBJECT) from None
    return value


async def read_json(
    request: web.Request, error: type[CicError] = BadJson, max_bytes: int = MAX_BODY
) -> Any:
    """The request body as any JSON value (for endpoints that take a list, say)."""
    if (request.content_length or 0) > max_bytes:
        raise error(f"Za dużo danych w jednym żądaniu (najwyżej {max_bytes // 1024} kB).")
    raw = await request.read()
    if len(raw) > max_bytes:
        raise error(f"Za dużo danych w jednym żądaniu (najwyżej {max_bytes // 1024} kB).")
    return parse_json(raw, error)


async def form_data(
    request: web.Request, error: type[CicError] = BadJson
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """An HTML form as aiohttp reads it (repeated fields and files kept); ``error`` when the
    body does not read as a form (bytes that are not UTF-8, a broken multipart)."""
    try:
        return await request.post()
    except ValueError:  # UnicodeDecodeError included
        raise error("Nie można odczytać formularza.") from None


async def form_fields(request: web.Request, error: type[CicError] = BadJson) -> dict[str, str]:
    """An HTML form's text fields (files left out, the first of repeated ones); ``error``
    when the body does not read as a form."""
    form = await form_data(request, error)
    return {key: value for key, value in form.items() if isinstance(value, str)}


def whole_number(raw: str | None, low: int, high: int) -> int | None:
    """``raw`` as an integer from ``low`` to ``high`` (ASCII digits, a minus only when ``low`` is
    negative), or None."""
    if raw is None:
        return None
    digits = raw[1:] if raw.startswith("-") and low < 0 else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def path_id(
    request: web.Request, key: str, error: type[CicError] = BadJson, high: int = MAX_ID
) -> int:
    """The path parameter ``key`` as a database id (1 to ``high``), else ``error``."""
    value = whole_number(request.match_info.get(key), 1, high)
    if value is None:
        raise error(f"Identyfikator {key} musi być liczbą od 1 do {high}.")
    return value
