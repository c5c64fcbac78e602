"""The typed-body seam: what is refused, in what words, and the schema it documents."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import make_mocked_request
from pydantic import Field, StringConstraints, create_model

from cic.errors import CicError
from cic.http.json_api import BadJson
from cic.http.schemas import (
    NOT_BLANK,
    Body,
    Digits,
    Exact,
    IsoDate,
    IsoDateTime,
    OneLine,
    Query,
    json_schema,
    parse_body,
    query_parameters,
    read_query,
)


class Inner(Body):
    number: str
    label: str = Field("", max_length=5, title="Opis")


class Sample(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)] = (
        Field(title="Imię i nazwisko")
    )
    count: int = Field(0, ge=0, le=9, title="Liczba")
    kind: Literal["a", "b"] = "a"
    line: OneLine = ""
    items: list[str | Inner] = Field(default_factory=list, max_length=2, title="Pozycje")
    nick: Annotated[str, NOT_BLANK] | None = Field(None, title="Pseudonim")


class Strict(Exact):
    name: str = ""


class Page(Query):
    limit: Digits = Field(20, ge=1, le=100)
    q: str = ""


class Refused(CicError):
    status = 400
    error_id = "refused"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Imię i nazwisko: pole wymagane."),
        ({"name": 5}, "Imię i nazwisko: musi być tekstem."),
        ({"name": "   "}, "Imię i nazwisko: pole wymagane (nie może być puste)."),
        ({"name": "x" * 11}, "Imię i nazwisko: najwyżej 10 znaków (jest 11)."),
        ({"name": "Jan", "count": "3"}, "Liczba: musi być liczbą całkowitą."),
        ({"name": "Jan", "count": True}, "Liczba: musi być liczbą całkowitą."),
        ({"name": "Jan", "count": 10}, "Liczba: najwyżej 9."),
        ({"name": "Jan", "kind": "c"}, "Kind: dozwolone wartości: 'a' albo 'b'."),
        (
            {"name": "Jan", "line": "a\nb"},
            "Line: niedozwolone znaki sterujące (także nowy wiersz).",
        ),
        ({"name": "Jan", "nick": "  "}, "Pseudonim: pole wymagane (nie może być puste)."),
        ({"name": "Jan", "items": ["1", "2", "3"]}, "Pozycje: najwyżej 2 pozycje (jest 3)."),
        ({"name": "Jan", "items": [{"label": "x"}]}, "Pozycje, poz. 1, number: pole wymagane."),
    ],
)
def test_refusals_name_the_field_in_polish(body: dict[str, Any], message: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_body(body, Sample, Refused)
    assert caught.value.message == message and caught.value.status == 400


def test_values_are_typed_and_trimmed_and_unknown_fields_ignored() -> None:
    got = parse_body({"name": " Jan ", "items": ["1", {"number": "2"}], "x": 1}, Sample)
    assert got.name == "Jan" and got.count == 0
    assert got.items[0] == "1" and isinstance(got.items[1], Inner)
    assert got.given() == {"name": "Jan", "items": ["1", {"number": "2", "label": ""}]}


def test_not_an_object_and_unknown_fields_where_exact() -> None:
    with pytest.raises(BadJson, match="Oczekiwano obiektu JSON"):
        parse_body([1], Sample)
    with pytest.raises(BadJson, match="nieznane pole"):
        parse_body({"nazwa": "x"}, Strict)


def test_the_schema_is_self_contained_and_carries_only_declared_titles() -> None:
    schema = json_schema(Sample)
    text = repr(schema)
    assert "$ref" not in text and "$defs" not in text
    assert schema["properties"]["name"]["title"] == "Imię i nazwisko"
    assert "title" not in schema["properties"]["kind"] and "title" not in schema
    inner = schema["properties"]["items"]["items"]["anyOf"][1]
    assert inner["required"] == ["number"] and inner["properties"]["label"]["maxLength"] == 5
    assert json_schema(Strict)["additionalProperties"] is False
    assert json_schema({"type": "string"}) == {"type": "string"}


def test_query_parameters_come_from_the_model() -> None:
    params = {name: (schema, required) for name, schema, required in query_parameters(Page)}
    assert params["limit"] == ({"default": 20, "maximum": 100, "minimum": 1, "type": "integer"},
                               False)  # fmt: skip
    assert query_parameters({"q": {"type": "string"}}) == [("q", {"type": "string"}, False)]


def _query(raw: str) -> Page:
    request = make_mocked_request("GET", "/x?" + urlencode({"limit": raw}))
    return read_query(request, Page, Refused)


@pytest.mark.parametrize("raw", ["-0", "+5", " 5", "5_0", "²", "1" * 30, "0", "101"])
def test_query_numbers_are_plain_digits_in_range(raw: str) -> None:
    with pytest.raises(Refused, match=r"^Limit: "):
        _query(raw)


def test_query_numbers_read() -> None:
    assert _query("42").limit == 42
    assert read_query(make_mocked_request("GET", "/x"), Page).limit == 20


@pytest.mark.parametrize(
    ("limit", "words"),
    [(1, "1 znak"), (4, "4 znaki"), (12, "12 znaków"), (64, "64 znaki"), (200, "200 znaków")],
)
def test_limits_are_said_in_proper_polish(limit: int, words: str) -> None:
    sized = create_model("Sized", __base__=Body, text=(str, Field(max_length=limit)))
    with pytest.raises(Refused) as caught:
        parse_body({"text": "x" * (limit + 1)}, sized, Refused)
    assert caught.value.message == f"Text: najwyżej {words} (jest {limit + 1})."


def test_a_field_read_by_its_alias_is_named_by_its_title() -> None:
    class Period(Query):
        since: str = Field("", alias="from", title="Od", pattern=r"^[0-9-]*$")

    request = make_mocked_request("GET", "/x?from=wczoraj")
    with pytest.raises(Refused, match=r"^Od: niedozwolona postać\.$"):
        read_query(request, Period, Refused)


def test_iso_dates_are_checked_and_an_empty_one_means_not_given() -> None:
    class Span(Query):
        day: IsoDate = Field("", title="Dzień")
        moment: IsoDateTime = Field("", title="Chwila")

    def asked(query: str) -> Span:
        return read_query(make_mocked_request("GET", "/x?" + query), Span, Refused)

    assert asked("day=2026-12-06&moment=2026-12-06T08:00:00Z").day == "2026-12-06"
    assert asked("").moment == ""
    with pytest.raises(Refused, match=r"^Dzień: data RRRR-MM-DD\.$"):
        asked("day=wczoraj")
    with pytest.raises(Refused, match=r"^Chwila: data i godzina w formacie ISO 8601\.$"):
        asked("moment=rano")
    schema = json_schema(Span)["properties"]
    assert schema["day"] == {"format": "date", "title": "Dzień", "type": "string"}
    assert schema["moment"]["format"] == "date-time" and "default" not in schema["moment"]
