"""Residents' e-mail addresses and PESEL (SQLite and PostgreSQL): one owner each (409), found
by address and by PESEL, moved by a merge, the PESEL never stored, returned or audited."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.models import AuditEntry
from cic.db import Store
from cic.residents.errors import (
    EmailTaken,
    InvalidResident,
    PeselConflict,
    PeselTaken,
    PeselUnavailable,
    ResidentNotFound,
)
from cic.residents.models import Resident
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from cic.residents.views import routes
from cic.web.errors import error_middleware
from tests.component.test_kb_views import as_, fake_auth
from tests.unit.test_pesel import make_pesel

Client = TestClient[Any, Any]
KEY = b"klucz-testowy-do-skrotow-pesel-32b"
PESEL_A = make_pesel(date(1984, 3, 12), "1234")
PESEL_B = make_pesel(date(2003, 10, 1), "5678")


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[ResidentService]:
    store = Store(db_url)
    store.migrate()
    yield ResidentService(store, pesel_key=KEY, today=lambda: date(2026, 12, 6))
    await store.close()


def new(name: str, **more: Any) -> NewResident:
    return NewResident.model_validate({"name": name, **more})


def everything_stored(store: Store) -> str:
    """Every resident and audit row as text (to show a PESEL is nowhere in it)."""

    def read(session: Session) -> str:
        residents = [(r.id, r.name, r.note, r.pesel_digest) for r in session.scalars(
            select(Resident))]  # fmt: skip
        audit = [(a.action, a.target, a.detail) for a in session.scalars(select(AuditEntry))]
        return json.dumps([residents, audit], default=str)

    return store.run_sync(read)


async def test_addresses_are_lowercased_found_and_have_one_owner(service: ResidentService) -> None:
    jan = await service.create(new("Jan Testowy", emails=["Jan.Testowy@Example.PL"]), "anna")
    assert jan["emails"] == ["jan.testowy@example.pl"] and jan["has_pesel"] is False
    ewa = await service.create(new("Ewa Druga"), "anna")
    found = await service.lookup_email("JAN.TESTOWY@example.pl")
    assert found is not None and found["id"] == jan["id"]
    assert await service.lookup_email("nikt@example.pl") is None
    assert await service.lookup_email("to nie adres") is None
    with pytest.raises(EmailTaken) as taken:
        await service.add_email(ewa["id"], "jan.testowy@EXAMPLE.pl", "anna")
    assert taken.value.status == 409
    with pytest.raises(EmailTaken):
        await service.create(new("Trzecia", emails=["jan.testowy@example.pl"]), "anna")
    again = await service.add_email(jan["id"], "jan.testowy@example.pl", "anna")  # theirs: no-op
    assert again["emails"] == ["jan.testowy@example.pl"]
    both = await service.add_email(jan["id"], "praca@example.com", "anna")
    assert both["emails"] == ["jan.testowy@example.pl", "praca@example.com"]
    for bad in (
        "jan@",
        "@example.pl",
        "jan testowy@example.pl",
        "jan@localhost",
        "jan@@x.pl",
        "żółw@example.pl",
        "a" * 65 + "@example.pl",
        "jan@-example.pl",
        "jan.@x.pl",
    ):
        with pytest.raises(InvalidResident, match="Adres e-mail"):
            await service.add_email(jan["id"], bad, "anna")
    removed = await service.remove_email(jan["id"], "PRACA@example.com", "anna")
    assert removed["emails"] == ["jan.testowy@example.pl"]
    with pytest.raises(ResidentNotFound):
        await service.remove_email(jan["id"], "praca@example.com", "anna")
    assert [r["id"] for r in await service.search("jan.testowy@example.pl")] == [jan["id"]]
    assert [r["id"] for r in await service.search("testowy@")] == [jan["id"]]

    def actions(session: Session) -> list[str]:
        return [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]

    logged = service.store.run_sync(actions)
    assert logged.count("resident_email_added") == 2 and "resident_email_removed" in logged
    assert "praca@example.com" not in everything_stored(service.store)


async def test_pesel_is_kept_as_a_keyed_digest_and_finds_the_resident(
    service: ResidentService,
) -> None:
    jan = await service.create(new("Jan Testowy", pesel=PESEL_A), "anna")
    assert jan["has_pesel"] is True and PESEL_A not in json.dumps(jan)
    ewa = await service.create(new("Ewa Druga"), "anna")
    found = await service.find_by_pesel(f"{PESEL_A[:6]} {PESEL_A[6:]}")
    assert found is not None and found["id"] == jan["id"]
    assert await service.find_by_pesel(PESEL_B) is None
    with pytest.raises(PeselTaken) as taken:
        await service.set_pesel(ewa["id"], PESEL_A, "anna")
    assert PESEL_A not in taken.value.message
    with pytest.raises(PeselTaken):
        await service.create(new("Trzecia", pesel=PESEL_A), "anna")
    changed = await service.set_pesel(ewa["id"], PESEL_B, "anna")
    assert changed["has_pesel"] is True
    found = await service.find_by_pesel(PESEL_B)
    assert found is not None and found["id"] == ewa["id"]
    wrong = PESEL_B[:10] + str((int(PESEL_B[10]) + 1) % 10)
    with pytest.raises(InvalidResident, match="cyfra kontrolna") as refused:
        await service.find_by_pesel(wrong)
    assert wrong not in refused.value.message
    with pytest.raises(InvalidResident, match="daty urodzenia"):
        await service.set_pesel(ewa["id"], make_pesel(date(2027, 1, 5)), "anna")  # born later
    # a search finds by PESEL only when asked to (the query came in a request body)
    assert [r["id"] for r in await service.search(PESEL_A, pesel=True)] == [jan["id"]]
    assert await service.search(PESEL_A) == []
    with pytest.raises(InvalidResident, match="PESEL"):
        await service.search(wrong, pesel=True)
    cleared = await service.clear_pesel(ewa["id"], "anna")
    assert cleared["has_pesel"] is False and await service.find_by_pesel(PESEL_B) is None
    with pytest.raises(ResidentNotFound):
        await service.clear_pesel(ewa["id"], "anna")
    stored = everything_stored(service.store)
    assert PESEL_A not in stored and PESEL_B not in stored
    assert PESEL_A[:6] not in stored  # not even the date of birth


async def test_without_the_key_pesel_is_unavailable(service: ResidentService) -> None:
    keyless = ResidentService(service.store)
    with pytest.raises(PeselUnavailable) as refused:
        await keyless.find_by_pesel(PESEL_A)
    assert refused.value.status == 503
    with pytest.raises(PeselUnavailable):
        await keyless.create(new("Jan", pesel=PESEL_A), "anna")


async def test_merging_moves_addresses_and_keeps_one_pesel(service: ResidentService) -> None:
    keep = await service.create(new("Jan Testowy", emails=["jan@example.pl"]), "a")
    dup = await service.create(new("J. Testowy", emails=["jt@example.pl"], pesel=PESEL_A), "a")
    merged = await service.merge(keep["id"], dup["id"], "kierownik")
    assert merged["emails"] == ["jan@example.pl", "jt@example.pl"] and merged["has_pesel"]
    found = await service.find_by_pesel(PESEL_A)
    assert found is not None and found["id"] == keep["id"]
    by_address = await service.lookup_email("jt@example.pl")
    assert by_address is not None and by_address["id"] == keep["id"]
    # two records with different PESEL numbers are two people: refused, nothing moves
    other = await service.create(new("Inny Testowy", emails=["inny@example.pl"],
                                     pesel=PESEL_B), "a")  # fmt: skip
    with pytest.raises(PeselConflict, match="różne numery PESEL") as refused:
        await service.merge(keep["id"], other["id"], "kierownik")
    assert refused.value.status == 409
    assert (await service.get(other["id"]))["emails"] == ["inny@example.pl"]
    still = await service.find_by_pesel(PESEL_B)
    assert still is not None and still["id"] == other["id"]
    # the one with the PESEL kept, the one without folded in: the PESEL stays
    plain = await service.create(new("Bez Peselu"), "a")
    kept = await service.merge(other["id"], plain["id"], "kierownik")
    assert kept["has_pesel"] is True


@pytest.fixture
async def client(service: ResidentService) -> AsyncIterator[Client]:
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(routes(service))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_api_addresses_pesel_and_search_in_a_body(client: Client) -> None:
    for method, path in (("POST", "/api/mieszkancy/szukaj"), ("PUT", "/api/residents/1/pesel"),
                         ("POST", "/api/residents/1/emails")):  # fmt: skip
        assert (await client.request(method, path, json={})).status == 401, path
    made = await client.post(
        "/api/residents",
        json={"name": "Anna Testowa", "emails": ["Anna@Example.PL"], "pesel": PESEL_A},
        headers=as_("agent"),
    )
    assert made.status == 201, await made.text()
    body = await made.json()
    assert body["emails"] == ["anna@example.pl"] and body["has_pesel"] is True
    assert PESEL_A not in json.dumps(body)
    rid = body["id"]
    other = await (await client.post("/api/residents", json={"name": "Ktoś Inny"},
                                      headers=as_("agent"))).json()  # fmt: skip
    address = {"address": "ANNA@example.pl"}
    taken = await client.post(f"/api/residents/{other['id']}/emails", json=address,
                              headers=as_("agent"))  # fmt: skip
    assert taken.status == 409 and (await taken.json())["error"] == "email_taken"
    twice = await client.put(f"/api/residents/{other['id']}/pesel", json={"pesel": PESEL_A},
                             headers=as_("agent"))  # fmt: skip
    answer = await twice.text()
    assert twice.status == 409 and "pesel_taken" in answer and PESEL_A not in answer
    wrong = PESEL_B[:10] + str((int(PESEL_B[10]) + 1) % 10)
    invalid = await client.put(f"/api/residents/{other['id']}/pesel", json={"pesel": wrong},
                               headers=as_("agent"))  # fmt: skip
    answer = await invalid.text()
    assert invalid.status == 400 and "cyfra kontrolna" in answer and wrong not in answer
    found = await client.post("/api/mieszkancy/szukaj", json={"q": PESEL_A}, headers=as_("agent"))
    assert found.status == 200 and [r["id"] for r in await found.json()] == [rid]
    bad = await client.post("/api/mieszkancy/szukaj", json={"q": wrong}, headers=as_("agent"))
    answer = await bad.text()
    assert bad.status == 400 and wrong not in answer
    by_mail = await client.get("/api/residents/lookup", params={"email": "anna@EXAMPLE.pl"},
                               headers=as_("agent"))  # fmt: skip
    assert by_mail.status == 200 and (await by_mail.json())["id"] == rid
    gone = await client.delete(f"/api/residents/{rid}/emails/anna@example.pl",
                               headers=as_("agent"))  # fmt: skip
    assert gone.status == 200 and (await gone.json())["emails"] == []
    cleared = await client.delete(f"/api/residents/{rid}/pesel", headers=as_("agent"))
    assert cleared.status == 200 and (await cleared.json())["has_pesel"] is False
    for odd in ("' OR 1=1 --", "%_%", "x" * 200, "@"):
        searched = await client.post("/api/mieszkancy/szukaj", json={"q": odd},
                                     headers=as_("agent"))  # fmt: skip
        assert searched.status == 200 and await searched.json() == [], odd
    too_long = await client.post("/api/mieszkancy/szukaj", json={"q": "x" * 201},
                                 headers=as_("agent"))  # fmt: skip
    assert too_long.status == 400
