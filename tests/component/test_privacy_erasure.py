"""Erasure (art. 17) and rectification (art. 16): a dry run changes nothing; execution deletes
recordings, transcripts and search rows of calls outside cases and holds, anonymises the rest,
keeps cases with their reasons, leaves other residents alone and is audited; refused requests
change nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from cic.auth.models import AuditEntry
from cic.callbacks.models import CallbackRequest
from cic.calls.models import Call, CallEvent, CallWrapup, Recording
from cic.cases.models import Case, CaseAction, CaseParty, ContactReport
from cic.cases.service import CaseService
from cic.db import Store
from cic.privacy.errors import ErasureRefused, NotTheirs, RectificationRefused
from cic.privacy.schemas import Rectification
from cic.privacy.service import Official, PrivacyService
from cic.recordings.models import CallTopic, CallTranscript, RecordingChannel, TranscriptTerms
from cic.residents.errors import NumberTaken, ResidentNotFound
from cic.residents.models import Resident, ResidentNumber
from cic.review.search import TranscriptSearch
from cic.transfers.models import Transfer
from tests.component.privacy_world import OFFICIAL, TODAY, World, snapshot
from tests.component.privacy_world import world as world  # the fixture

IOD = Official("iod1", "10.0.0.5")


def rows(store: Store, model: Any, **where: Any) -> list[Any]:
    stmt = select(model).filter_by(**where)
    return list(store.run_sync(lambda s: s.scalars(stmt).all()))


def found(store: Store, words: str) -> list[str]:
    return store.run_sync(lambda s: [h["call_id"] for h in TranscriptSearch().search(s, words)])


def audited(store: Store, action: str) -> list[AuditEntry]:
    return rows(store, AuditEntry, action=action)


def steps(plan: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(s["rekord"], s["id"]): s["czynnosc"] for s in plan["kroki"]}


async def test_dry_run_lists_what_would_happen_and_changes_nothing(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    before = snapshot(service.store)
    plan = await service.erasure(built.residents["anna"], IOD, execute=False)
    assert snapshot(service.store) == before
    assert all(f.exists() for files in built.files.values() for f in files)
    c = built.calls
    assert steps(plan) == {
        ("zgłoszenie", str(built.reports["R1"])): "zachowaj",
        ("zgłoszenie", str(built.reports["R2"])): "anonimizuj",
        ("nagranie i transkrypcja", c["a1"]): "usuń",
        ("rozmowa", c["a1"]): "anonimizuj",
        ("rozmowa", c["a2"]): "zachowaj",
        ("rozmowa", c["a3"]): "zachowaj",
        ("sprawa", built.cases["S"]): "zachowaj",
        ("mieszkaniec", str(built.residents["anna"])): "zachowaj",
    }
    reasons = " ".join(s["powod"] for s in plan["kroki"])
    assert "blokadą prawną" in reasons and "art. 17 ust. 3 lit. e" in reasons
    assert f"sprawy {built.cases['S']}" in reasons and "jest w toku" in reasons
    assert plan["wykonano"] is False and plan["wstrzymane"] == []
    entry = audited(service.store, "privacy_erasure_planned")[0]
    assert entry.target == str(built.residents["anna"]) and entry.detail["calls_purged"] == 1


async def test_erasure_deletes_files_and_search_rows_keeps_the_case_and_spares_bogdan(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    store, c = service.store, built.calls
    bogdan_calls = [c["b1"], c["b2"], c["x1"]]
    bogdan_before = {
        m.__tablename__: [repr(vars_of(r)) for r in rows_of(store, m, bogdan_calls)]
        for m in (Call, CallEvent, CallWrapup, Recording, CallTranscript)
    }
    metryka_before = len(rows(store, CaseAction))
    assert c["a1"] in found(store, "nieruchomości")

    out = await service.erasure(built.residents["anna"], IOD, execute=True)
    assert out["wykonano"] is True and out["usuniete_pliki"] == 3
    assert not any(f.exists() for f in built.files["a1"])
    assert all(f.exists() for key in ("a2", "a3", "b1", "b2") for f in built.files[key])
    for model in (Recording, RecordingChannel, CallTranscript, TranscriptTerms):
        assert rows(store, model, call_id=c["a1"]) == []
    assert found(store, "nieruchomości") == []
    assert c["a2"] in found(store, "topoli")  # kept with the case

    call = rows(store, Call, call_id=c["a1"])[0]
    assert (call.caller_number, call.caller_name, call.outcome) == ("", "", "answered")
    event = rows(store, CallEvent, call_id=c["a1"])[0]
    assert event.data["caller_number"] == "" and event.data["channel"] == "PJSIP/residents-1"
    assert rows(store, CallWrapup, call_id=c["a1"])[0].note == ""
    transfer = rows(store, Transfer, call_id=c["a1"])[0]
    assert (transfer.note, transfer.caller_number, transfer.caller_name) == ("", "", "")
    assert rows(store, CallbackRequest, call_id=c["a1"])[0].number == ""
    assert rows(store, CallTopic, call_id=c["a1"])[0].matched == []
    assert rows(store, ContactReport, id=built.reports["R2"])[0].note == ""
    assert rows(store, ContactReport, id=built.reports["R1"])[0].note == "Notatka wspólna o A i B"
    assert rows(store, Call, call_id=c["a2"])[0].caller_number == "+48825000011"
    assert rows(store, Call, call_id=c["a3"])[0].caller_number == "0600000001"
    assert len(rows(store, CaseParty)) == 3 and len(rows(store, CaseAction)) == metryka_before
    assert rows(store, Resident, id=built.residents["anna"])  # case S is in progress
    bogdan_after = {
        m.__tablename__: [repr(vars_of(r)) for r in rows_of(store, m, bogdan_calls)]
        for m in (Call, CallEvent, CallWrapup, Recording, CallTranscript)
    }
    assert bogdan_after == bogdan_before
    entry = audited(store, "privacy_erasure")[0]
    assert entry.detail == {
        "calls_purged": 1,
        "calls_anonymised": 1,
        "reports_anonymised": 1,
        "callbacks_anonymised": 0,
        "kept": 5,
        "resident_deleted": 0,
    }


def case_s(store: Store, built: World) -> int:
    return int(rows(store, Case, signature=built.cases["S"])[0].id)


def vars_of(row: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(row).items() if not k.startswith("_")}


def rows_of(store: Store, model: Any, call_ids: list[str]) -> list[Any]:
    stmt = select(model).where(model.call_id.in_(call_ids)).order_by(model.id)
    return list(store.run_sync(lambda s: s.scalars(stmt).all()))


async def test_once_the_case_is_closed_the_record_goes_and_the_case_stays_with_its_category(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    cases = CaseService(service.store, today=lambda: TODAY, pin_hasher=lambda pin: "hash")
    await cases.update_case(built.cases["S"], {"status": "zakonczona"}, OFFICIAL)
    out = await service.erasure(built.residents["anna"], IOD, execute=True)
    kept = {s["id"]: s["powod"] for s in out["kroki"] if s["rekord"] == "sprawa"}
    assert "kategoria BE10" in kept[built.cases["S"]] and "2037" in kept[built.cases["S"]]
    assert "narodowym zasobie archiwalnym" in kept[built.cases["S"]]
    store = service.store
    for resident in ("anna", "duplicate"):
        assert rows(store, Resident, id=built.residents[resident]) == []
    assert rows(store, ResidentNumber, resident_id=built.residents["anna"]) == []
    assert [p.name for p in rows(store, CaseParty, case_id=case_s(store, built))] == [
        "Anna Testowa",
        "Bogdan Próbny",
    ]
    with pytest.raises(ResidentNotFound):
        await service.erasure(built.residents["anna"], IOD, execute=False)
    assert rows(store, Resident, id=built.residents["bogdan"])[0].name == "Bogdan Próbny"


async def test_celina_without_a_case_loses_everything_but_the_statistics(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    out = await service.erasure(built.residents["celina"], IOD, execute=True)
    assert out["liczby"]["resident_deleted"] == 1 and out["usuniete_pliki"] == 3
    call = rows(service.store, Call, call_id=built.calls["c1"])[0]
    assert call.caller_number == "" and call.talk_seconds == 180.0
    assert rows(service.store, Resident, id=built.residents["celina"]) == []
    assert found(service.store, "dziurę") == []


async def test_a_waiting_callback_blocks_erasure_and_nothing_changes(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    store = service.store
    store.run_sync(
        lambda s: s.add(
            CallbackRequest(
                call_id="1764009999.9", number="600000003", queue="pierwsza-linia", status="waiting"
            )
        )
    )
    before = snapshot(store)
    plan = await service.erasure(built.residents["celina"], IOD, execute=False)
    assert plan["wstrzymane"] and "oddzwonienie" in plan["wstrzymane"][0]
    with pytest.raises(ErasureRefused) as refused:
        await service.erasure(built.residents["celina"], IOD, execute=True)
    assert "nic nie zmieniono" in refused.value.message and refused.value.status == 409
    assert snapshot(store) == before
    assert all(f.exists() for f in built.files["c1"])
    assert [e.detail for e in audited(store, "privacy_erasure_refused")] == [
        {"error": "erasure_refused"}
    ]
    assert audited(store, "privacy_erasure") == []


async def test_rectification_corrects_the_record_and_her_party_entry_only(
    world: tuple[World, PrivacyService],
) -> None:
    built, service = world
    store = service.store
    anna_party = built.parties["S-anna"]
    out = await service.rectify(
        built.residents["anna"],
        Rectification.model_validate(
            {
                "name": "Anna Testowa-Nowak",
                "numbers": ["+48 600 000 001", {"number": "600000004", "label": "nowy"}],
                "parties": [
                    {"id": anna_party, "name": "Anna Testowa-Nowak", "contact": "600000004"}
                ],
            }
        ),
        IOD,
    )
    assert out["zmiany"] == {
        "fields": ["name", "numbers", "parties"],
        "numbers_added": 1,
        "numbers_removed": 1,
        "parties": 1,
    }
    assert [n["number"] for n in out["mieszkaniec"]["numbers"]] == ["+48600000001", "+48600000004"]
    parties = {
        p.id: (p.name, p.contact) for p in rows(store, CaseParty, case_id=case_s(store, built))
    }
    assert parties[anna_party] == ("Anna Testowa-Nowak", "600000004")
    assert parties[built.parties["S-bogdan"]] == ("Bogdan Próbny", "600-000-002")
    notes = [
        a.description
        for a in rows(store, CaseAction, case_id=case_s(store, built), action="sprostowanie")
    ]
    assert notes == ["Sprostowano dane strony na żądanie osoby, której dotyczą (art. 16 RODO)."]
    assert rows(store, Call, call_id=built.calls["a1"])[0].caller_name == "ANNA T"  # a record
    entry = audited(store, "privacy_rectified")[0]
    assert "Nowak" not in str(entry.detail) and "600000004" not in str(entry.detail)


@pytest.mark.parametrize(
    ("who", "body", "error"),
    [
        ("anna", {"parties": [{"id": "BOGDAN", "contact": "600000005"}]}, NotTheirs),
        ("bogdan", {"parties": [{"id": "T", "contact": "600000005"}]}, RectificationRefused),
        ("anna", {"name": "Anna", "numbers": ["600000002"]}, NumberTaken),
    ],
)
async def test_refused_rectifications_change_nothing(
    world: tuple[World, PrivacyService], who: str, body: dict[str, Any], error: type[Exception]
) -> None:
    built, service = world
    party_ids = {"BOGDAN": built.parties["S-bogdan"], "T": built.parties["T-bogdan"]}
    parties = [{**p, "id": party_ids[p["id"]]} for p in body.get("parties", [])]
    body = {**body, "parties": parties} if parties else body
    before = snapshot(service.store)
    with pytest.raises(error):
        await service.rectify(built.residents[who], Rectification.model_validate(body), IOD)
    assert snapshot(service.store) == before
    refused = audited(service.store, "privacy_rectification_refused")
    assert len(refused) == 1 and set(refused[0].detail) == {"error"}
    assert (
        service.store.run_sync(
            lambda s: s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "privacy_rectified")
            )
        )
        == 0
    )
