"""Typed request bodies and query strings: pydantic models at the HTTP seam.

A view declares what it takes as a :class:`Body` (JSON, strict: a number is not a string) or a
:class:`Query` (query-string text turned into numbers where the field says so), reads it with
:func:`read_body` / :func:`read_query`, and passes the same class to ``@documented`` so the
OpenAPI document shows exactly what is checked. A value that does not fit is refused with the
domain's own error (400) and a Polish message naming the field by its ``title``, the one a
person sees in the console, e.g. „Imię i nazwisko: najwyżej 200 znaków (jest 250).”

pydantic (v2) because it is the maintained standard for this in Python: strict JSON types,
lengths, ranges and enums in one declaration, and JSON Schema 2020-12 (what OpenAPI 3.1 uses)
generated from the same class, so the check and its documentation cannot drift apart.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from aiohttp import web
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import ErrorDetails

from cic.errors import CicError
from cic.http.json_api import MAX_BODY, NOT_AN_OBJECT, BadJson, read_json

M = TypeVar("M", bound=BaseModel)
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,18}")


def _one_line(value: str) -> str:
    if _CONTROL_LINE.search(value):
        raise ValueError("niedozwolone znaki sterujące (także nowy wiersz)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("pole wymagane (nie może być puste)")
    return value


def _digits(value: object) -> object:
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("musi być liczbą całkowitą (same cyfry)")
    return value


def _iso_date(raw: str) -> str:
    if raw:
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise ValueError("data RRRR-MM-DD") from None
    return raw


def _iso_date_time(raw: str) -> str:
    if raw:
        try:
            datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("data i godzina w formacie ISO 8601") from None
    return raw


def _optional_format(kind: str) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` for a text field whose empty default means "not given": the
    schema says the value's ``format`` and leaves out the default (which is not one)."""

    def edit(schema: dict[str, Any]) -> None:
        schema["format"] = kind
        schema.pop("default", None)

    return edit


#: A whole number in a query string: ASCII digits only (no sign, spaces, ``_`` or ``²``).
Digits = Annotated[int, BeforeValidator(_digits)]
#: A day as ``RRRR-MM-DD`` text, or empty for "not given".
IsoDate = Annotated[
    str, AfterValidator(_iso_date), Field(json_schema_extra=_optional_format("date"))
]
#: A moment in ISO 8601 text, or empty for "not given".
IsoDateTime = Annotated[
    str, AfterValidator(_iso_date_time), Field(json_schema_extra=_optional_format("date-time"))
]
#: Refuses control characters and line breaks: ``Annotated[str, StringConstraints(...),
#: ONE_LINE]`` (the length checked first, so its message counts characters).
ONE_LINE = AfterValidator(_one_line)
#: Text on one line, stored verbatim (no control characters, no line breaks).
OneLine = Annotated[str, ONE_LINE]
#: Refuses text that is only spaces: ``Annotated[SomeText, NOT_BLANK]``.
NOT_BLANK = AfterValidator(_not_blank)


class Body(BaseModel):
    """A JSON request body: JSON's own types only, unknown fields ignored, immutable."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    def given(self) -> dict[str, Any]:
        """The fields the request actually carried (for partial changes, PATCH)."""
        return self.model_dump(include=self.model_fields_set)


class Exact(Body):
    """A JSON body that refuses fields it does not know (where a typo must not pass as
    "nothing to change", e.g. a legal correction)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")


class Query(BaseModel):
    """Query-string parameters: text, turned into a number or a flag where a field says so."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def _expected(ctx: Mapping[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " albo ")


def _count(n: object, one: str, few: str, many: str) -> str:
    """``n`` with the Polish noun form it takes: 1 znak, 2 znaki, 5 znaków, 64 znaki."""
    if not isinstance(n, int):
        return f"{n} {many}"
    if n == 1:
        return f"1 {one}"
    few_form = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    return f"{n} {few if few_form else many}"


def _reason(error: ErrorDetails) -> str:
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    size = f" (jest {len(given)})" if isinstance(given, (str, list)) else ""
    chars = ("znak", "znaki", "znaków")
    items = ("pozycja", "pozycje", "pozycji")
    reasons: dict[str, str] = {
        "missing": "pole wymagane",
        "string_type": "musi być tekstem",
        "int_type": "musi być liczbą całkowitą",
        "int_parsing": "musi być liczbą całkowitą",
        "int_from_float": "musi być liczbą całkowitą",
        "float_type": "musi być liczbą",
        "float_parsing": "musi być liczbą",
        "bool_type": "musi być wartością true albo false",
        "bool_parsing": "musi być wartością true albo false",
        "list_type": "musi być listą",
        "dict_type": "musi być obiektem JSON",
        "model_type": "musi być obiektem JSON",
        "string_too_long": f"najwyżej {_count(ctx.get('max_length'), *chars)}{size}",
        "string_too_short": (
            "pole wymagane (nie może być puste)"
            if ctx.get("min_length") == 1
            else f"co najmniej {_count(ctx.get('min_length'), *chars)}{size}"
        ),
        "too_long": f"najwyżej {_count(ctx.get('max_length'), *items)}{size}",
        "too_short": f"co najmniej {_count(ctx.get('min_length'), *items)}{size}",
        "greater_than_equal": f"co najmniej {ctx.get('ge')}",
        "less_than_equal": f"najwyżej {ctx.get('le')}",
        "greater_than": f"więcej niż {ctx.get('gt')}",
        "less_than": f"mniej niż {ctx.get('lt')}",
        "literal_error": f"dozwolone wartości: {_expected(ctx)}",
        "enum": f"dozwolone wartości: {_expected(ctx)}",
        "string_pattern_mismatch": "niedozwolona postać",
        "extra_forbidden": "nieznane pole",
        "value_error": str(ctx.get("error", "niepoprawna wartość")),
    }
    return reasons.get(kind, "niepoprawna wartość")


_UNION_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none", "tuple"})


def _field(model: type[BaseModel], location: tuple[int | str, ...]) -> str:
    """The field's name as a person reads it: its title, then list positions and inner keys
    (a union's member tags, which pydantic puts in the location, are left out)."""
    if not location:
        return ""
    first, *rest = location
    fields = model.model_fields
    info = fields.get(str(first)) or next(
        (f for f in fields.values() if f.alias == first), None
    )  # a query parameter named by its alias (``from``) rather than the attribute (``since``)
    parts = [info.title if info and info.title else str(first)]
    for part in rest:
        if isinstance(part, int):
            parts.append(f"poz. {part + 1}")
        elif part.isidentifier() and part.islower() and part not in _UNION_TAGS:
            parts.append(part)
    return ", ".join(parts)


def message(model: type[BaseModel], exc: ValidationError) -> str:
    """The first problem of ``exc`` in Polish, e.g. „Notatka: najwyżej 2000 znaków (jest 2100).”"""
    errors = exc.errors(include_url=False)
    # The deepest first: of a union's members, the one the value came closest to fitting.
    error = max(errors, key=lambda e: len(e["loc"]))
    field = _field(model, tuple(error["loc"]))
    reason = _reason(error)
    text = f"{field}: {reason}" if field else reason
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def field_errors(model: type[BaseModel], exc: ValidationError) -> dict[str, str]:
    """Each top-level field's first problem in Polish (``{"email": "niepoprawny adres"}``),
    for an HTML form that shows every error beside its field."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else ""
        reason = _reason(error)
        found.setdefault(name, reason[:1].upper() + reason[1:])
    return found


async def read_body(
    request: web.Request,
    model: type[M],
    error: type[CicError] = BadJson,
    max_bytes: int = MAX_BODY,
    invalid: type[CicError] | None = None,
) -> M:
    """The request's JSON body as ``model`` (within the limits of ``cic.http.json_api``).
    A body that is not a JSON object is ``error``; a field that does not fit is ``invalid``
    (``error`` when not given); both with a Polish message."""
    value = await read_json(request, error, max_bytes)
    if not isinstance(value, dict):
        raise error(NOT_AN_OBJECT)
    return parse_body(value, model, invalid or error)


def parse_body(value: Any, model: type[M], error: type[CicError] = BadJson) -> M:
    """An already decoded JSON value as ``model``, else ``error``."""
    if not isinstance(value, dict):
        raise error(NOT_AN_OBJECT)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise error(message(model, exc)) from None


def read_query(request: web.Request, model: type[M], error: type[CicError] = BadJson) -> M:
    """The request's query string as ``model`` (a repeated name: its last value), else
    ``error``."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise error(message(model, exc)) from None


def _inline(node: Any, definitions: Mapping[str, Any]) -> Any:
    """``node`` with every ``$ref`` to ``$defs`` replaced by the definition (bodies here are
    small and not recursive, so a self-contained schema is easiest to read and to test)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


class _Untitled(GenerateJsonSchema):
    """Leaves out what pydantic takes from the Python code: titles made from names and the
    classes' (English, for developers) docstrings; a field's declared Polish title and
    description stay."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: Any) -> JsonSchemaValue:
        made = super().model_schema(schema)
        made.pop("title", None)
        made.pop("description", None)
        return made

    def typed_dict_schema(self, schema: Any) -> JsonSchemaValue:
        made = super().typed_dict_schema(schema)
        made.pop("title", None)
        made.pop("description", None)
        return made


def json_schema(shape: Any, mode: str = "validation") -> dict[str, Any]:
    """The JSON Schema of a schema dict (returned as a copy), a pydantic model, or any type
    pydantic knows (``list[Model]``, a ``TypedDict``); ``mode="serialization"`` for answers."""
    if isinstance(shape, Mapping):
        return copy.deepcopy(dict(shape))
    made = TypeAdapter(shape).json_schema(
        mode="serialization" if mode == "serialization" else "validation",
        schema_generator=_Untitled,
    )
    definitions = made.pop("$defs", {})
    schema: dict[str, Any] = _inline(made, definitions)
    return schema


def query_parameters(shape: Any) -> list[tuple[str, dict[str, Any], bool]]:
    """Each query parameter's name, schema and whether it is required, from a :class:`Query`
    model or a dict of schemas (none required)."""
    if isinstance(shape, Mapping):
        return [(name, copy.deepcopy(dict(schema)), False) for name, schema in shape.items()]
    schema = json_schema(shape)
    required = set(schema.get("required", ()))
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    return [(name, prop, name in required) for name, prop in properties.items()]
