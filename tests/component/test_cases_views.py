"""The contact-report and case API through a real aiohttp server with signed-in roles."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cic.asterisk.agi import AgiServer
from cic.asterisk.provision import Layout
from cic.auth.errors import AuthError
from cic.auth.roles import USER_KEY
from cic.auth.sessions import CurrentUser
from cic.auth.templates import error_response
from cic.calls.models import Call
from cic.cases.plugin import CASES, CasesDeps, install
from cic.cases.service import CaseService
from cic.cases.views import routes
from cic.db import Store, migrate
from cic.web.errors import error_middleware

Client = TestClient[Any, Any]
ODD = [
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "Zażółć gęślą jaźń — ŹRÓDŁO „cudzysłów” «»",
    "😀👍🏽 ńoś 🇵🇱",
    "'; DROP TABLE cases; -- \" OR 1=1 /* % _ \\",
    "wiele\nlinii\ttabulatory",
]


@web.middleware
async def fake_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    """Stands in for the real auth middleware: the role comes from a test header."""
    role = request.headers.get("X-Test-Role")
    if role:
        request[USER_KEY] = CurrentUser(7, f"u-{role}", f"Użytkownik {role}", role, 7)
    try:
        response: web.StreamResponse = await handler(request)
    except AuthError as exc:
        return error_response(request, exc)
    return response


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    url = f"sqlite:///{tmp_path / 'cic.db'}"
    migrate(url)
    store = Store(url)
    yield store
    await store.close()


AGENT_DEVICE = "PJSIP/agent-u-agent"


async def agent_device(agent_id: int | None) -> str | None:
    """The test users' agent row 7 is the device that took the calls of :func:`took`."""
    return AGENT_DEVICE if agent_id == 7 else None


async def took(store: Store, *call_ids: str) -> None:
    """Calls on record, answered by the test agent."""

    def write(session: Any) -> None:
        for call_id in call_ids:
            session.add(Call(call_id=call_id, caller_number="48600000001", agent=AGENT_DEVICE))

    await store.run(write)


@pytest.fixture
async def client(store: Store) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(CaseService(store, today=lambda: date(2026, 12, 3)), agent_device))
    async with TestClient(TestServer(app)) as client:
        yield client


def as_(role: str) -> dict[str, str]:
    return {"X-Test-Role": role}


def path(signature: str) -> str:
    return "/api/sprawy/" + urllib.parse.quote(signature)


CASE = {
    "unit": "FN",
    "jrwa": "3110",
    "title": "Raty podatku od nieruchomości",
    "parties": [{"name": "Anna Przykładowa", "role": "wnioskodawczyni"}],
}


async def test_every_route_refuses_without_sign_in(client: Client, store: Store) -> None:
    for route in routes(CaseService(store)):
        url = route.path.replace("{id}", "1").replace("{signature}", "FN.3110.1.2026")
        method = route.method
        response = await client.request(method, url, json={})
        assert response.status == 401, (method, url)
        if not url.startswith("/api/"):
            continue  # a page: the sign-in page in HTML
        body = await response.json()
        assert body["error"] == "not_signed_in" and "zalogowanie" in body["message"]


async def test_agents_cannot_register_or_change_cases(client: Client) -> None:
    report = await (
        await client.post("/api/zgloszenia", json={"topic": "x"}, headers=as_("agent"))
    ).json()
    refusals = [
        ("POST", "/api/sprawy", CASE),
        ("POST", f"/api/zgloszenia/{report['id']}/sprawa", CASE),
        ("PATCH", "/api/sprawy/FN.3110.1.2026", {"status": "w_toku"}),
        ("POST", "/api/sprawy/FN.3110.1.2026/calls", {"call_id": "1.1"}),
        ("POST", "/api/sprawy/FN.3110.1.2026/dokumenty", {"document_id": "d"}),
        ("GET", "/api/sprawy/terminy", None),
        ("GET", "/api/spis-spraw?komorka=FN&jrwa=3110&rok=2026", None),
    ]
    for method, url, body in refusals:
        response = await client.request(method, url, json=body, headers=as_("agent"))
        assert response.status == 403, (method, url)
        assert (await response.json())["error"] == "forbidden"
    # linking to a case the report's caller does not have open: no such case, as far as they know
    url = f"/api/zgloszenia/{report['id']}/sprawa"
    linking = await client.post(url, json={"signature": "FN.3110.1.2026"}, headers=as_("agent"))
    assert linking.status == 404


async def test_report_to_case_through_the_api(client: Client, store: Store) -> None:
    await took(store, "1764755000.3")
    created = await client.post(
        "/api/zgloszenia",
        json={"topic": "Wycinka drzewa", "note": "Notatka służbowa.", "call_id": "1764755000.3"},
        headers=as_("agent"),
    )
    assert created.status == 201
    report = await created.json()
    registered = await client.post(
        f"/api/zgloszenia/{report['id']}/sprawa",
        json={**CASE, "jrwa": "6131", "title": "Zezwolenie na usunięcie drzewa"},
        headers=as_("specialist"),
    )
    assert registered.status == 201
    receipt = await registered.json()
    assert receipt["signature"] == "FN.6131.1.2026" and re.fullmatch(r"\d{6}", receipt["pin"])
    signature = receipt["signature"]
    seen = await client.get(path(signature), headers=as_("agent"))  # linked to the agent's report
    assert seen.status == 200 and "pin" not in await seen.json()
    listed = await client.get(
        "/api/sprawy", params={"call_id": "1764755000.3"}, headers=as_("agent")
    )
    assert [c["signature"] for c in await listed.json()] == [signature]
    reports = await client.get(
        "/api/zgloszenia", params={"call_id": "1764755000.3"}, headers=as_("agent")
    )
    assert [r["case"] for r in await reports.json()] == [signature]
    metryka = await (await client.get(path(signature) + "/metryka", headers=as_("agent"))).json()
    assert [m["action"] for m in metryka] == ["rejestracja", "zgloszenie", "rozmowa"]
    document = await client.post(
        path(signature) + "/dokumenty",
        json={"document_id": "DOC/2026/17", "description": "Wniosek"},
        headers=as_("supervisor"),
    )
    assert document.status == 201 and (await document.json())[-1]["document_id"] == "DOC/2026/17"
    deadlines = await (await client.get("/api/sprawy/terminy?dni=90", headers=as_("admin"))).json()
    assert [c["signature"] for c in deadlines["due_soon"]] == [signature]
    spis = await client.get(
        "/api/spis-spraw?komorka=FN&jrwa=6131&rok=2026", headers=as_("specialist")
    )
    assert [r["signature"] for r in (await spis.json())["sprawy"]] == [signature]
    jrwa = await (await client.get("/api/jrwa", headers=as_("agent"))).json()
    assert jrwa["needs_local_check"] is True and jrwa["source"] == "wbudowany wycinek"
    assert any(c["symbol"] == "1431" for c in jrwa["classes"])


async def test_odd_input_is_stored_verbatim_and_returned_as_json(
    client: Client, store: Store
) -> None:
    await took(store, *(f"c{i}<b>" for i in range(len(ODD))))
    for i, odd in enumerate(ODD):
        report = await client.post(
            "/api/zgloszenia",
            json={
                "topic": odd.replace("\n", " ").replace("\t", " "),
                "note": odd,
                "call_id": f"c{i}<b>",
            },
            headers=as_("agent"),
        )
        assert report.status == 201, odd
        body = await report.json()
        assert body["note"] == odd and body["calls"] == [f"c{i}<b>"]
        single_line = odd.replace("\n", " ").replace("\t", " ")
        case = await client.post(
            "/api/sprawy",
            json={
                **CASE,
                "title": single_line,
                "assigned_to": single_line[:64],
                "parties": [
                    {"name": single_line, "role": single_line[:100], "contact": single_line}
                ],
            },
            headers=as_("specialist"),
        )
        assert case.status == 201, odd
        assert case.headers["Content-Type"].startswith("application/json")
        saved = await (
            await client.get(path((await case.json())["signature"]), headers=as_("admin"))
        ).json()
        assert saved["title"] == single_line and saved["parties"][0]["name"] == single_line
        assert saved["parties"][0]["contact"] == single_line


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"topic": "x" * 201}, "najwyżej 200"),
        ({"topic": ""}, "nie może być puste"),
        ({"topic": "a\x00b"}, "znaki sterujące"),
        ({"topic": "a\nb"}, "znaki sterujące"),
        ({"topic": 5}, "tekstem"),
        ({"topic": "ok", "note": "x" * 20_001}, "najwyżej"),
        ({"topic": "ok", "department": "<b>"}, "komórki"),
        ({"topic": "ok", "call_id": "x" * 129}, "najwyżej 128"),
    ],
)
async def test_unusable_report_fields_are_refused_in_polish(
    client: Client, body: dict[str, Any], word: str
) -> None:
    response = await client.post("/api/zgloszenia", json=body, headers=as_("agent"))
    assert response.status == 400
    refused = await response.json()
    assert refused["error"] == "invalid_value" and word in refused["message"]


@pytest.mark.parametrize(
    "signature",
    ["<script>", "FN.3110.1.2026' OR '1'='1", "ŻÓŁW.3110.😀.2026", "FN." + "9" * 300, "..."],
)
async def test_odd_signatures_in_the_path_are_refused(client: Client, signature: str) -> None:
    response = await client.get(path(signature), headers=as_("specialist"))
    assert response.status == 400
    assert (await response.json())["error"] == "invalid_signature"


async def test_polish_unit_codes_and_lookups_by_quoted_path(client: Client) -> None:
    registered = await client.post(
        "/api/sprawy", json={**CASE, "unit": "GKiOŚ", "jrwa": "7230"}, headers=as_("admin")
    )
    signature = (await registered.json())["signature"]
    assert signature == "GKiOŚ.7230.1.2026"
    assert (await client.get(path(signature), headers=as_("admin"))).status == 200
    missing = await client.get(path("GKiOŚ.7230.2.2026"), headers=as_("admin"))
    assert missing.status == 404 and "Nie znaleziono" in (await missing.json())["message"]


@pytest.mark.parametrize("payload", ["nie json", "[1, 2]", ""])
async def test_bodies_must_be_json_objects(client: Client, payload: str) -> None:
    response = await client.post(
        "/api/sprawy",
        data=payload,
        headers={**as_("admin"), "Content-Type": "application/json"},
    )
    assert response.status == 400
    assert (await response.json())["message"] == "Oczekiwano obiektu JSON."


async def test_bad_query_parameters(client: Client) -> None:
    for url in (
        "/api/sprawy/terminy?dni=x",
        "/api/spis-spraw?komorka=FN",
        "/api/sprawy?limit=0",
        "/api/spis-spraw?komorka=FN&jrwa=3110&rok=26",
        "/api/zgloszenia/abc",
        "/api/zgloszenia/²",
        "/api/sprawy?limit=²",
        "/api/sprawy/terminy?dni=²",
        "/api/spis-spraw?komorka=FN&jrwa=3110&rok=²²²²",
        "/api/sprawy?limit=" + "1" * 5000,
        "/api/zgloszenia?limit=" + "1" * 5000,
        "/api/sprawy/terminy?dni=" + "1" * 5000,
        "/api/sprawy/terminy?dni=-0",
    ):
        response = await client.get(url, headers=as_("admin"))
        assert response.status == 400, url
        assert (await response.json())["message"]


async def test_install_cases_adds_the_service_and_routes(store: Store) -> None:
    agi = AgiServer(None, "127.0.0.1", 0, secret="s")  # type: ignore[arg-type]
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    cases = install(app, CasesDeps(store, agi, Layout(Path("/"), "test"), agent_device))
    assert app[CASES] is cases.service
    assert "case-status" in agi._scripts  # the phone step of case status
    assert cases.status is not None  # the one PIN check the portal's case status shares
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/jrwa", headers=as_("agent"))
        assert response.status == 200 and (await response.json())["classes"]
