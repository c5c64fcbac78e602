"""Residents: numbers in every spelling, several per resident, history across them, merging
duplicates, and the API's roles and odd input (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.calls.models import Call
from cic.db import Store
from cic.http.schemas import parse_body
from cic.residents.errors import InvalidResident, NumberTaken, ResidentNotFound
from cic.residents.numbers import canonical_number, spellings
from cic.residents.schemas import NewResident, NumberIn
from cic.residents.service import ResidentService
from cic.residents.views import routes
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth

Client = TestClient[Any, Any]
ODD = "<b>Zażółć</b> 'O''Brien'; DROP TABLE residents;-- 🙂"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("+48 600 100 200", "+48600100200"),
        ("48600100200", "+48600100200"),
        ("0048600100200", "+48600100200"),
        ("600-100-200", "+48600100200"),
        ("0600100200", "+48600100200"),
        ("(82) 500 10 20", "+48825001020"),
        ("+49 30 1234567", "+49301234567"),
        ("anonymous", None),
        ("", None),
        ("12345", None),
        ("060010020", None),
        ("+48 060 100 200", None),
        ("600100200; rm -rf /", None),
        ("9" * 300, None),
    ],
)
def test_numbers_are_made_canonical(raw: str, canonical: str | None) -> None:
    assert canonical_number(raw) == canonical


def test_every_spelling_a_trunk_may_send() -> None:
    assert spellings("+48600100200") == [
        "+48600100200", "48600100200", "0048600100200", "600100200", "0600100200",
    ]  # fmt: skip
    assert spellings("+49301234567") == ["+49301234567", "49301234567", "0049301234567"]


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[ResidentService]:
    store = Store(db_url)
    store.migrate()
    yield ResidentService(store)
    await store.close()


def _calls(store: Store, *rows: tuple[str, str]) -> None:
    def write(session: Session) -> None:
        for call_id, number in rows:
            session.add(Call(call_id=call_id, caller_number=number, outcome="answered",
                             entered_at=datetime(2026, 12, 1, 9, tzinfo=UTC)))  # fmt: skip

    store.run_sync(write)


async def test_lookup_by_any_number_in_any_spelling(service: ResidentService) -> None:
    numbers = ["600 100 200", {"number": "+48825001020", "label": "stacjonarny"}]
    made = await service.create(
        NewResident.model_validate({"name": "Jan Testowy", "numbers": numbers}), "anna"
    )
    assert [n["number"] for n in made["numbers"]] == ["+48600100200", "+48825001020"]
    for spelling in ("48600100200", "0600100200", "+48 82 500 10 20"):
        found = await service.lookup(spelling)
        assert found is not None and found["id"] == made["id"]
    assert await service.lookup("anonymous") is None
    assert await service.lookup("+48600999999") is None


async def test_a_number_has_one_owner(service: ResidentService) -> None:
    first = await service.create(
        NewResident.model_validate({"name": "Anna Pierwsza", "numbers": ["600100200"]}), "a"
    )
    second = await service.create(NewResident.model_validate({"name": "Ewa Druga"}), "a")
    with pytest.raises(NumberTaken):
        await service.add_number(second["id"], NumberIn(number="+48600100200"), "a")
    with pytest.raises(NumberTaken):
        await service.create(
            NewResident.model_validate({"name": "Trzecia", "numbers": ["0600100200"]}), "a"
        )
    again = await service.add_number(
        first["id"], NumberIn(number="600100200", label="komórka"), "a"
    )
    assert again["numbers"] == [{"number": "+48600100200", "label": "komórka"}]
    with pytest.raises(InvalidResident, match=r"Numer telefonu: np\. "):
        parse_body({"number": "12"}, NumberIn, InvalidResident)
    removed = await service.remove_number(first["id"], "48600100200", "a")
    assert removed["numbers"] == []
    with pytest.raises(ResidentNotFound):
        await service.remove_number(first["id"], "48600100200", "a")


async def test_history_spans_every_number_and_spelling(service: ResidentService) -> None:
    resident = await service.create(
        NewResident.model_validate({"name": "Jan", "numbers": ["600100200", "825001020"]}), "a"
    )
    _calls(service.store, ("c1", "48600100200"), ("c2", "+48825001020"), ("c3", "0600100200"),
           ("c4", "48600999999"))  # fmt: skip
    history = await service.history(resident["id"])
    assert [c["call_id"] for c in history["calls"]] == ["c3", "c2", "c1"]
    assert history["resident"]["name"] == "Jan" and history["contacts"] == {}

    async def reports(call_ids: list[str], username: str, role: str) -> dict[str, Any]:
        return {"reports": [{"calls": call_ids, "seen_by": (username, role)}]}

    service.add_history_source(reports)
    contacts = (await service.history(resident["id"], username="ola", role="agent"))["contacts"]
    assert contacts == {"reports": [{"calls": ["c3", "c2", "c1"], "seen_by": ("ola", "agent")}]}


async def test_merging_duplicates_moves_numbers_and_is_audited(service: ResidentService) -> None:
    keep = await service.create(
        NewResident.model_validate({"name": "Jan Testowy", "numbers": ["600100200"]}), "a"
    )
    dup = await service.create(
        NewResident.model_validate(
            {"name": "J. Testowy", "note": "dzwoni z pracy", "numbers": ["825001020"]}
        ),
        "a",
    )
    _calls(service.store, ("c1", "48600100200"), ("c2", "48825001020"))
    merged = await service.merge(keep["id"], dup["id"], "kierownik")
    assert {n["number"] for n in merged["numbers"]} == {"+48600100200", "+48825001020"}
    assert "dzwoni z pracy" in merged["note"]
    found = await service.lookup("825001020")
    assert found is not None and found["id"] == keep["id"]
    with pytest.raises(ResidentNotFound):
        await service.get(dup["id"])
    assert [r["id"] for r in await service.search("Testowy")] == [keep["id"]]
    assert len((await service.history(keep["id"]))["calls"]) == 2
    with pytest.raises(InvalidResident):
        await service.merge(keep["id"], keep["id"], "kierownik")

    def audit(session: Session) -> list[tuple[str, str]]:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.actor) for r in rows]

    assert ("residents_merged", "kierownik") in service.store.run_sync(audit)


async def test_search_by_name_fragment_or_number_with_like_metacharacters(
    service: ResidentService,
) -> None:
    a = await service.create(
        NewResident.model_validate({"name": "Anna 100% Testowa", "numbers": ["600100200"]}), "a"
    )
    await service.create(NewResident.model_validate({"name": "Anna_Inna"}), "a")
    assert [r["id"] for r in await service.search("100%")] == [a["id"]]
    assert [r["name"] for r in await service.search("a_i")] == ["Anna_Inna"]
    assert [r["id"] for r in await service.search("0600 100 200")] == [a["id"]]
    assert await service.search("   ") == []


@pytest.fixture
async def client(service: ResidentService) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_api_roles_and_odd_input(client: Client) -> None:
    for path in ("/api/residents?q=a", "/api/residents/1", "/api/residents/lookup?number=1"):
        assert (await client.get(path)).status == 401, path
    made = await client.post(
        "/api/residents", json={"name": ODD, "note": ODD, "numbers": ["600100200"]},
        headers=as_("agent"),
    )  # fmt: skip
    assert made.status == 201, await made.text()
    body = await made.json()
    assert body["name"] == ODD and body["note"] == ODD  # stored verbatim; pages escape
    rid = body["id"]
    duplicate = {"name": "Duplikat", "numbers": ["825001020"]}
    other = await (await client.post("/api/residents", json=duplicate, headers=as_("agent"))).json()
    found = await client.get("/api/residents/lookup", params={"number": "48600100200"},
                             headers=as_("specialist"))  # fmt: skip
    assert found.status == 200 and (await found.json())["id"] == rid
    missing = await client.get("/api/residents/lookup", params={"number": "' OR 1=1 --"},
                               headers=as_("agent"))  # fmt: skip
    assert missing.status == 404 and (await missing.json())["error"] == "resident_not_found"
    assert (await client.post("/api/residents", json={"name": "x" * 201},
                              headers=as_("agent"))).status == 400  # fmt: skip
    assert (await client.post("/api/residents", data="nie json",
                              headers=as_("agent"))).status == 400  # fmt: skip
    assert (await client.get("/api/residents/../../etc/passwd", headers=as_("agent"))).status in (
        404, 400,
    )  # fmt: skip
    assert (await client.get("/api/residents/abc", headers=as_("agent"))).status == 404
    taken = await client.post(f"/api/residents/{rid}/numbers", json={"number": "825001020"},
                              headers=as_("agent"))  # fmt: skip
    assert taken.status == 409 and (await taken.json())["error"] == "number_taken"
    merge = {"other": other["id"]}
    denied = await client.post(f"/api/residents/{rid}/merge", json=merge, headers=as_("agent"))
    assert denied.status == 403
    merged = await client.post(f"/api/residents/{rid}/merge", json=merge,
                               headers=as_("supervisor"))  # fmt: skip
    assert merged.status == 200 and len((await merged.json())["numbers"]) == 2
    deleted = await client.delete(f"/api/residents/{rid}/numbers/825001020",
                                  headers=as_("agent"))  # fmt: skip
    assert deleted.status == 200 and len((await deleted.json())["numbers"]) == 1
    history = await client.get(f"/api/residents/{rid}/history", headers=as_("agent"))
    assert history.status == 200 and (await history.json())["calls"] == []
    assert (await history.json())["contacts"] == {}


async def test_screen_pop_names_a_known_resident_and_shows_calls_from_all_numbers(
    service: ResidentService,
) -> None:
    from cic.agents.service import AgentService
    from cic.bus import InProcessBus
    from cic.calls.service import CallService
    from cic.console.views import _for_agent
    from tests.component.test_directory import FakePbx

    store = service.store
    agents = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30)
    await agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await agents.create_agent("anna", "Anna", queues=["pierwsza-linia"])
    anna = agents.get("anna")
    jan = {"name": "Jan Testowy", "numbers": ["600100200", "825001020"]}
    resident = await service.create(NewResident.model_validate(jan), "a")
    _calls(store, ("old1", "48825001020"), ("old2", "0600100200"), ("now", "48600100200"))
    calls = CallService(store, InProcessBus())
    offered = {"type": "CallOffered", "call_id": "now", "agent": anna.interface}
    pop = await _for_agent(offered, anna, calls, service)
    assert pop is not None and pop["type"] == "ScreenPop"
    assert pop["resident"]["id"] == resident["id"] and pop["resident"]["name"] == "Jan Testowy"
    assert [h["call_id"] for h in pop["history"]] == ["old2", "old1"]
    plain = await _for_agent(offered, anna, calls)  # without the register: this number only
    assert plain is not None and plain["resident"] is None
    assert [h["call_id"] for h in plain["history"]] == []

    class Broken(ResidentService):
        async def lookup(self, raw_number: str) -> dict[str, Any] | None:
            raise OSError("database down")

    degraded = await _for_agent(offered, anna, calls, Broken(store))
    assert degraded is not None and degraded["resident"] is None  # the pop still comes
