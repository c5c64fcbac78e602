"""The one JSON body reader: what it accepts and how it refuses (400, Polish, the domain's id)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import ConfigDict, Field

from cic.errors import CicError
from cic.http.json_api import (
    MAX_BODY,
    MAX_DEPTH,
    MAX_INT,
    BadJson,
    parse_json,
    path_id,
    whole_number,
)
from cic.http.schemas import Body, Digits, Query, read_body, read_query
from cic.web.errors import error_middleware
from cic.web.safety import safety_middleware


class DomainError(CicError):
    status = 400
    error_id = "domain_invalid"


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize(
    "raw",
    [b'{"a": 1}', b"[]", b'"tekst"', b"-9007199254740991", b"1.5e300", nested(MAX_DEPTH),
     json.dumps({"note": "linia\nkolejna ../../etc/passwd '; DROP TABLE--"}).encode()],
)  # fmt: skip
def test_accepts(raw: bytes) -> None:
    assert parse_json(raw) == json.loads(raw)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "Oczekiwano obiektu JSON."),
        (b"{nie json", "Oczekiwano obiektu JSON."),
        (nested(MAX_DEPTH + 1), "zagnieżdżony"),
        (nested(100_000), "zagnieżdżony"),
        (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "zagnieżdżony"),
        (str(MAX_INT + 1).encode(), "spoza zakresu"),
        (b"-" + b"9" * 5000, "spoza zakresu"),
        (b'{"id": 1' + b"0" * 20000 + b"}", "spoza zakresu"),
        (b"1e400", "spoza zakresu"),
        (b"[NaN]", "NaN"),
        (b"-Infinity", "Infinity"),
        (b'"\\u0000"', "NUL"),
        (b'{"note": "a\\u0000b"}', "Pole „note”: tekst zawiera niedozwolone znaki sterujące (NUL)"),
        (b'{"tags": ["ok", "\\u0000"]}', "Pole „tags”: tekst"),
        (b'{"\\ud800": 1}', "surogat"),
        (b'"\xff\xfe"', "UTF-8"),
        (b"\xef\xbb\xbf{}", "Oczekiwano obiektu JSON."),
        (b" " * (MAX_BODY + 1), "Za dużo danych"),
    ],
)
def test_refuses_with_a_polish_message(raw: bytes, words: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_json(raw, DomainError)
    assert words in refused.value.message
    assert refused.value.to_dict()["error"] == "domain_invalid"


def test_whole_number() -> None:
    assert whole_number("12", 1, 50) == 12
    assert whole_number("-3", -5, 5) == -3
    for bad in (None, "", "1e9999", "²", "٣", " 1", "1.0", "9" * 5000, "51", "0", "+1", "--1"):
        assert whole_number(bad, 1, 50) is None, bad
    assert whole_number("-0", 0, 9) is None and whole_number("-0", -1, 9) == 0


class Anything(Body):
    """Any JSON object, kept as it came."""

    model_config = ConfigDict(strict=True, frozen=True, extra="allow")


class Limit(Query):
    limit: Digits = Field(5, ge=1, le=50)


async def test_views_answer_400_and_the_safety_net_hides_the_rest() -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        body = await read_body(request, Anything)
        limit = read_query(request, Limit).limit
        return web.json_response({"body": body.model_dump(), "limit": limit})

    async def item(request: web.Request) -> web.StreamResponse:
        return web.json_response({"id": path_id(request, "id")})

    async def broken(_request: web.Request) -> web.StreamResponse:
        raise RuntimeError("sekretne szczegóły /var/lib/cic")

    app = web.Application(middlewares=[safety_middleware(), error_middleware()])
    app.add_routes(
        [web.post("/api/echo", echo), web.get("/api/x/{id}", item),
         web.get("/api/boom", broken), web.get("/boom", broken)]
    )  # fmt: skip
    async with TestClient(TestServer(app)) as client:
        ok = await client.post("/api/echo?limit=7", json={"a": [1, {"b": None}]})
        assert await ok.json() == {"body": {"a": [1, {"b": None}]}, "limit": 7}
        cases: list[tuple[str, Any]] = [
            ("/api/echo", [1]), ("/api/echo", "x"), ("/api/echo?limit=1e9999", {}),
            ("/api/echo?limit=0", {}), ("/api/echo?limit=" + "9" * 5000, {}),
        ]  # fmt: skip
        for url, body in cases:
            response = await client.post(url, json=body)
            assert response.status == 400, url
            assert (await response.json())["error"] == "bad_json"
        for raw in (nested(50_000), b"[" + b"1" * 10_000 + b"]"):
            response = await client.post("/api/echo", data=raw)
            assert response.status == 400
        for url in ("/api/x/99999999999999999999", "/api/x/0", "/api/x/-1", "/api/x/2147483648"):
            assert (await client.get(url)).status == 400, url
        assert await (await client.get("/api/x/2147483647")).json() == {"id": 2147483647}
        nul = await client.get("/api/x/1%00")
        assert nul.status == 400 and (await nul.json())["error"] == "bad_url"
        assert (await client.post("/api/echo?q=%00", json={})).status == 400
        api = await client.get("/api/boom")
        assert api.status == 500 and (await api.json())["error"] == "internal_error"
        page = await client.get("/boom")
        text = await page.text()
        assert page.status == 500 and "Błąd serwera" in text and "sekretne" not in text
        assert "RuntimeError" not in text and "/var/lib" not in text


def test_bad_json_is_a_cic_error() -> None:
    assert BadJson().to_dict() == {"error": "bad_json", "message": "Oczekiwano obiektu JSON."}
