"""Walk-in visits at the front desk through a real aiohttp server (SQLite and PostgreSQL):
settled on the spot or not, a new visitor made a resident in the same transaction, the day's
list and who may see which visit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from cic.auth.errors import AuthError
from cic.auth.roles import USER_KEY
from cic.auth.sessions import CurrentUser
from cic.auth.templates import error_response
from cic.cases.models import ContactReport
from cic.cases.service import CaseService
from cic.cases.views import routes as case_routes
from cic.channels.targets import add_working_days
from cic.channels.visit_views import routes
from cic.channels.visits import VisitService
from cic.db import Store
from cic.residents.models import Resident
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from cic.topics.taxonomy import load_taxonomy
from cic.web.errors import error_middleware
from tests.unit.test_pesel import make_pesel

Client = TestClient[Any, Any]
KEY = b"klucz-testowy-recepcji"
NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday, 10:30 in Warsaw
ODD = "„Cudzysłów” 'O''Brien'; DROP TABLE contact_reports;-- $(rm -rf /) `id` <b>x</b>"


@web.middleware
async def fake_auth(request: web.Request, handler: Any) -> web.StreamResponse:
    """The user comes from test headers: ``X-Test-User`` with ``X-Test-Role``."""
    role, name = request.headers.get("X-Test-Role"), request.headers.get("X-Test-User", "")
    if role:
        request[USER_KEY] = CurrentUser(7, name or f"u-{role}", name or role, role, None)
    try:
        response: web.StreamResponse = await handler(request)
    except AuthError as exc:
        return error_response(request, exc)
    return response


def as_(username: str, role: str = "agent") -> dict[str, str]:
    return {"X-Test-User": username, "X-Test-Role": role}


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    store = Store(db_url)
    store.migrate()
    yield store
    await store.close()


@pytest.fixture
async def client(store: Store) -> AsyncIterator[Client]:
    visits = VisitService(
        store, reply_days={"osobiscie": 7}, zone="Europe/Warsaw", taxonomy=load_taxonomy(),
        pesel_key=KEY, now=lambda: NOW,
    )  # fmt: skip
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(visits))
    app.add_routes(case_routes(CaseService(store)))
    async with TestClient(TestServer(app)) as client:
        yield client


async def resident(store: Store, name: str = "Jan Testowy") -> int:
    made = await ResidentService(store).create(
        NewResident.model_validate({"name": name, "numbers": ["600100200"]}), "test"
    )
    return made["id"]


async def test_a_matter_settled_on_the_spot_is_closed_without_a_reply_target(
    client: Client, store: Store
) -> None:
    rid = await resident(store)
    answer = await client.post(
        "/api/wizyty",
        json={"resident_id": rid, "topic": "Podatek od nieruchomości", "handled": True,
              "note": "Wyjaśniono raty."},
        headers=as_("ola"),
    )  # fmt: skip
    assert answer.status == 201, await answer.text()
    visit = await answer.json()
    assert visit["status"] == "zamkniete" and visit["handled"] is True
    assert visit["reply_due"] is None and visit["resident"] == {"id": rid, "name": "Jan Testowy"}
    assert visit["contact"] == "+48600100200" and visit["created_by"] == "ola"
    row = await store.run(lambda s: s.get(ContactReport, visit["id"]))
    assert row is not None and row.channel == "osobiscie" and row.resident_id == rid
    assert row.waiting_since is None and row.answered_at is not None and row.owner == "ola"


async def test_a_matter_not_settled_goes_to_a_department_with_a_reply_target(
    client: Client, store: Store
) -> None:
    handed = await client.post(
        "/api/wizyty",
        json={"topic": "Wycinka drzewa", "department": "OS", "handled": False},
        headers=as_("ola"),
    )
    assert handed.status == 201, await handed.text()
    visit = await handed.json()
    due = add_working_days(date(2026, 12, 4), 7)
    assert visit["status"] == "przekazane" and visit["department"] == "OS"
    assert visit["reply_due"] == due.isoformat() and visit["resident"] is None
    row = await store.run(lambda s: s.get(ContactReport, visit["id"]))
    assert row is not None and row.waiting_since == NOW and row.answered_at is None
    kept = await client.post("/api/wizyty", json={"topic": "Inna sprawa", "handled": False},
                             headers=as_("ola"))  # fmt: skip
    kept_visit = await kept.json()
    assert kept.status == 201 and kept_visit["status"] == "nowe"
    assert kept_visit["reply_due"] == due.isoformat()


async def test_a_new_visitor_becomes_a_resident_in_the_same_transaction(
    client: Client, store: Store
) -> None:
    pesel = make_pesel(date(1991, 8, 23), "4321")
    visitor = {"name": "Anna Nowa", "phone": "825 001 020", "email": "Anna.Nowa@example.pl",
               "pesel": pesel}  # fmt: skip
    made = await client.post(
        "/api/wizyty",
        json={"resident": visitor, "topic": "Dowód osobisty", "handled": True},
        headers=as_("ola"),
    )
    text = await made.text()
    assert made.status == 201, text
    assert pesel not in text
    visit = await made.json()
    assert visit["contact"] == "anna.nowa@example.pl"
    found = await ResidentService(store, pesel_key=KEY).find_by_pesel(pesel)
    assert found is not None and found["id"] == visit["resident"]["id"]
    assert found["numbers"][0]["number"] == "+48825001020"
    # the same number again: refused as a whole, no second resident and no report
    again = {**visitor, "name": "Ktoś Inny", "email": "inny@example.pl", "pesel": None}
    refused = await client.post(
        "/api/wizyty", json={"resident": again, "topic": "Dowód", "handled": True},
        headers=as_("ola"),
    )  # fmt: skip
    assert refused.status == 409 and (await refused.json())["error"] == "number_taken"
    residents = await store.run(lambda s: s.scalar(select(func.count(Resident.id))))
    reports = await store.run(lambda s: s.scalar(select(func.count(ContactReport.id))))
    assert (residents, reports) == (1, 1)


async def test_agents_see_their_own_visits_officials_all(client: Client, store: Store) -> None:
    ola = await (await client.post("/api/wizyty", json={"topic": "Odpady", "handled": True},
                                   headers=as_("ola"))).json()  # fmt: skip
    ela = await (await client.post("/api/wizyty", json={"topic": "Woda", "handled": True},
                                   headers=as_("ela"))).json()  # fmt: skip
    day = {"dzien": "2026-12-04"}
    for user, role, expected in (("ola", "agent", [ola["id"]]), ("ela", "agent", [ela["id"]]),
                                 ("kasia", "supervisor", [ela["id"], ola["id"]]),
                                 ("spec", "specialist", [ela["id"], ola["id"]])):  # fmt: skip
        listed = await client.get("/api/wizyty", params=day, headers=as_(user, role))
        assert listed.status == 200 and [v["id"] for v in await listed.json()] == expected, user
    other_day = await client.get("/api/wizyty", params={"dzien": "2026-12-03"},
                                 headers=as_("kasia", "supervisor"))  # fmt: skip
    assert await other_day.json() == []
    # the report itself: another agent is told there is no such report
    hidden = await client.get(f"/api/zgloszenia/{ola['id']}", headers=as_("ela"))
    assert hidden.status == 404
    mine = await client.get(f"/api/zgloszenia/{ola['id']}", headers=as_("ola"))
    assert mine.status == 200 and (await mine.json())["topic"] == "Odpady"


async def test_roles_and_odd_input(client: Client, store: Store) -> None:
    for method, path in (("GET", "/recepcja"), ("GET", "/api/wizyty"), ("POST", "/api/wizyty"),
                         ("GET", "/api/wizyty/sprawy")):  # fmt: skip
        assert (await client.request(method, path, json={})).status == 401, path
        refused = await client.request(method, path, json={}, headers=as_("iod", "iod"))
        assert refused.status == 403, path
    odd = await client.post("/api/wizyty", json={"topic": ODD[:200], "note": ODD, "handled": True},
                            headers=as_("ola"))  # fmt: skip
    assert odd.status == 201 and (await odd.json())["note"] == ODD  # kept verbatim
    rid = await resident(store)
    refusals = [
        ({"topic": "", "handled": True}, 400, "Sprawa"),
        ({"topic": "   ", "handled": True}, 400, "Sprawa"),
        ({"topic": "x" * 201, "handled": True}, 400, "201"),
        ({"topic": "dwie\nlinie", "handled": True}, 400, "Sprawa"),
        ({"topic": "x"}, 400, "Załatwiona"),
        ({"topic": "x", "handled": "tak"}, 400, "Załatwiona"),
        ({"topic": "x", "handled": False, "department": "'; DROP"}, 400, "komórki"),
        ({"topic": "x", "handled": True, "resident_id": rid,
          "resident": {"name": "Drugi"}}, 400, "nie obu"),
        ({"topic": "x", "handled": True, "resident": {"name": "y" * 300}}, 400, "200"),
        ({"topic": "x", "handled": True, "resident": {"name": "A", "pesel": "12345678901"}},
         400, "cyfra kontrolna"),
        ({"topic": "x", "handled": True, "resident": {"name": "A", "email": "a@"}}, 400, "e-mail"),
        ({"topic": "x", "handled": True, "resident_id": 999_999}, 404, ""),
    ]  # fmt: skip
    for body, status, words in refusals:
        answer = await client.post("/api/wizyty", json=body, headers=as_("ola"))
        message = (await answer.json())["message"]
        assert answer.status == status and words in message, (body, message)
        assert "12345678901" not in message  # a PESEL is never echoed
    bad_day = await client.get("/api/wizyty", params={"dzien": "2026-13-45"}, headers=as_("ola"))
    assert bad_day.status == 400
    matters = await (await client.get("/api/wizyty/sprawy", headers=as_("ola"))).json()
    names = {m["name"]: m["department"] for m in matters["matters"]}
    assert names["Podatek od nieruchomości"] == "FN" and matters["departments"]["FN"]
    page = await client.get("/recepcja", headers=as_("ola"))
    text = await page.text()
    assert page.status == 200 and 'id="find-q"' in text and "Podatek od nieruchomości" in text
