"""The generated OpenAPI document: every route of the real app is in it with a Polish summary,
the document is valid OpenAPI 3.1, and what real endpoints answer validates against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate

from cic.config import load_settings
from cic.web.app import SERVICES, create_app
from cic.web.openapi import document, path_patterns
from tests.integration.harness import free_port

Client = TestClient[Any, Any]


@pytest.fixture
def app(tmp_path: Path) -> web.Application:
    return create_app(load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path),
        "CIC_ASTERISK__AMI_PORT": str(free_port()),  # nothing listens: AMI stays down
        "CIC_ASTERISK__AGI_PORT": str(free_port()),
        "CIC_ASTERISK__INSTANCE": "openapi-test",
    }))  # fmt: skip


def test_every_route_is_in_the_document_with_a_summary(app: web.Application) -> None:
    spec = document(app)
    validate(spec)  # OpenAPI 3.1, every $ref resolvable
    served = set()
    for route in app.router.routes():
        path, _ = path_patterns(route.resource)  # type: ignore[arg-type]
        if route.method != "HEAD" and not path.startswith("/static"):
            served.add((path, route.method.lower()))
    described = {
        (path, method): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }
    assert served == set(described) and len(served) > 100
    unsummarised = sorted(k for k, op in described.items() if not op.get("summary"))
    assert not unsummarised, f"routes without a summary: {unsummarised}"
    for (path, _method), op in described.items():
        named = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        named |= {p["name"] for p in spec["paths"][path].get("parameters", [])}
        assert named == set(path_params(path)), path


def path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def test_path_parameters_carry_the_routers_pattern(app: web.Application) -> None:
    spec = document(app)
    act = spec["paths"]["/api/callbacks/{id}/{action}"]["post"]
    schemas = {p["name"]: p["schema"] for p in act["parameters"]}
    assert schemas["action"]["pattern"] == "^(?:retry|close)$"
    assert schemas["id"]["pattern"] == r"^(?:\d{1,12})$"


@pytest.fixture
async def signed_in(app: web.Application) -> AsyncIterator[tuple[Client, dict[str, str]]]:
    async with TestClient(TestServer(app)) as client:
        token = app[SERVICES].credentials.api_token
        yield client, {"Authorization": f"Bearer {token}"}


async def test_real_answers_validate_against_the_document(
    app: web.Application, signed_in: tuple[Client, dict[str, str]]
) -> None:
    client, bearer = signed_in
    spec = document(app)
    checked = 0
    for path, item in spec["paths"].items():
        op = item.get("get")
        if op is None or "{" in path or not path.startswith("/api/"):
            continue
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if not schema.get("schema"):
            continue
        response = await client.get(path, headers=bearer)
        if response.status != 200:  # AMI down here: a 503 must be a documented error
            assert str(response.status) in op["responses"], (path, response.status)
            continue
        body = await response.json()
        resolver = {"components": spec["components"], **schema["schema"]}
        jsonschema.validate(body, resolver)
        checked += 1
    assert checked >= 20


async def test_the_docs_page_and_the_document_are_served(
    signed_in: tuple[Client, dict[str, str]],
) -> None:
    client, bearer = signed_in
    served = await (await client.get("/api/openapi.json", headers=bearer)).json()
    assert "/api/sprawy/{signature}/metryka" in served["paths"]
    assert "/api/agents" in served["paths"]
    page = await client.get("/api/docs", headers=bearer)
    text = await page.text()
    assert page.status == 200 and "Opis API kontrolera" in text and "/api/agents" in text
    assert (await client.get("/api/docs")).status == 401  # not without signing in
