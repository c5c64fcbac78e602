"""The case service on SQLite and PostgreSQL: registration, PIN, metryka, calls, deadlines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.errors import Forbidden
from cic.calls.models import Call
from cic.cases import jrwa
from cic.cases.cli import run as run_cli
from cic.cases.errors import CaseConflict, CaseNotFound, InvalidValue, UnknownJrwaClass
from cic.cases.models import Case
from cic.cases.pins import check_pin
from cic.cases.schemas import CasesQuery
from cic.cases.service import Actor, CaseService
from cic.db import Store, migrate

OFFICIAL = Actor("ewa.urzednik", "specialist")
AGENT = Actor("konsultant1", "agent", "PJSIP/agent-konsultant1")
OTHER_AGENT = Actor("konsultant2", "agent", "PJSIP/agent-konsultant2")
TODAY = date(2026, 12, 3)
PARTY = {"name": "Jan Testowy", "role": "wnioskodawca", "contact": "tel. 500 000 000"}


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[CaseService]:
    migrate(db_url)
    store = Store(db_url)
    yield CaseService(store, today=lambda: TODAY)
    await store.close()


async def add_calls(service: CaseService, *calls: tuple[str, str, str | None]) -> None:
    """Calls on record: ``(call_id, caller_number, agent interface or None)``."""

    def write(session: Session) -> None:
        for call_id, number, agent in calls:
            session.add(Call(call_id=call_id, caller_number=number, agent=agent,
                             outcome="answered" if agent else "abandoned"))  # fmt: skip

    await service.store.run(write)


def case_body(**extra: object) -> dict[str, object]:
    return {
        "unit": "FN",
        "jrwa": "3110",
        "title": "Wymiar podatku od nieruchomości",
        "parties": [PARTY],
        **extra,
    }


async def test_registration_numbers_hashes_the_pin_and_starts_the_metryka(
    service: CaseService,
) -> None:
    first = await service.register(case_body(assigned_to="ewa.urzednik"), OFFICIAL)
    second = await service.register(case_body(deadline_kind="zaswiadczenie"), OFFICIAL)
    assert (first["signature"], second["signature"]) == ("FN.3110.1.2026", "FN.3110.2.2026")
    assert first["status"] == "wszczeta" and first["status_label"] == "wszczęta"
    assert first["deadline"] == "2027-01-04"  # 3 January 2027 is a Sunday
    assert second["deadline"] == "2026-12-10"
    assert len(first["pin"]) == 6 and first["pin"].isdigit() and "tylko" in first["pin_notice"]
    assert first["parties"] == [PARTY]
    stored = await service.store.run(
        lambda s: s.scalars(select(Case.pin_hash).where(Case.number == 1)).one()
    )
    assert stored.startswith("$argon2") and first["pin"] not in stored
    assert check_pin(stored, first["pin"]) and not check_pin(stored, "x" + first["pin"])
    assert await service.pin_matches("FN.3110.1.2026", first["pin"])
    assert not await service.pin_matches("FN.3110.2.2026", first["pin"])
    assert not await service.pin_matches("FN.3110.9.2026", first["pin"])
    assert not await service.pin_matches("<b>", first["pin"])
    again = await service.case("FN.3110.1.2026", OFFICIAL)
    assert "pin" not in again and "pin_hash" not in again
    actions = await service.metryka("FN.3110.1.2026", OFFICIAL)
    assert [a["action"] for a in actions] == ["rejestracja", "przydzielenie"]
    assert actions[0]["actor"] == "ewa.urzednik"


async def test_call_on_report_and_case_shows_on_metryka_and_in_the_call_history(
    service: CaseService,
) -> None:
    await add_calls(
        service, ("1764755000.11", "48600100200", AGENT.interface),
        ("1764755999.42", "48600100200", AGENT.interface), ("1764756111.7", "48600100200", None),
    )  # fmt: skip
    report = await service.create_report(
        {"topic": "Raty podatku", "note": "Mieszkaniec prosi o raty.", "call_id": "1764755000.11"},
        AGENT,
    )
    assert report["status"] == "nowe" and report["owner"] == "konsultant1"
    assert report["calls"] == ["1764755000.11"]
    handed = await service.update_report(
        report["id"], {"status": "przekazane", "department": "FN"}, AGENT
    )
    assert handed["status_label"] == "przekazane" and handed["department"] == "FN"
    case = await service.register(case_body(jrwa="3125"), OFFICIAL, report_id=report["id"])
    assert case["calls"] == ["1764755000.11"] and case["reports"] == [report["id"]]
    # a later call on the same report reaches the case too
    await service.link_call_to_report(report["id"], {"call_id": "1764755999.42"}, AGENT)
    # and one linked straight to the case
    await service.link_call_to_case(case["signature"], {"call_ids": ["1764756111.7"]}, OFFICIAL)

    actions = await service.metryka(case["signature"], AGENT)
    linked = [a["document_id"] for a in actions if a["action"] == "rozmowa"]
    assert linked == ["1764755000.11", "1764755999.42", "1764756111.7"]
    assert any(a["action"] == "zgloszenie" for a in actions)
    assert f"zgłoszenie nr {report['id']}" in actions[-2]["description"]

    history = await service.for_calls(["1764755999.42"], OFFICIAL)
    assert [r["id"] for r in history["reports"]] == [report["id"]]
    assert [c["signature"] for c in history["cases"]] == ["FN.3125.1.2026"]
    direct = await service.for_calls(["1764756111.7"], OFFICIAL)
    assert direct["reports"] == [] and [c["signature"] for c in direct["cases"]] == [
        "FN.3125.1.2026"
    ]
    assert (await service.report(report["id"], AGENT))["case"] == "FN.3125.1.2026"


async def test_agents_read_only_cases_linked_to_their_reports(service: CaseService) -> None:
    report = await service.create_report({"topic": "Wycinka drzewa"}, AGENT)
    linked = await service.register(case_body(jrwa="6131"), OFFICIAL, report_id=report["id"])
    other = await service.register(case_body(), OFFICIAL)
    assert (await service.case(linked["signature"], AGENT))["title"]
    for actor in (AGENT, OTHER_AGENT):
        with pytest.raises(CaseNotFound):
            await service.case(other["signature"], actor)
    with pytest.raises(CaseNotFound):
        await service.metryka(linked["signature"], OTHER_AGENT)
    assert [c["signature"] for c in await service.cases(CasesQuery(), AGENT)] == [
        linked["signature"]
    ]
    assert await service.cases(CasesQuery(), OTHER_AGENT) == []
    with pytest.raises(Forbidden):
        await service.register(case_body(), AGENT)
    with pytest.raises(Forbidden):
        await service.update_report(report["id"], {"note": "cudza"}, OTHER_AGENT)


async def test_status_changes_close_and_a_closed_case_stays_closed(service: CaseService) -> None:
    case = await service.register(case_body(), OFFICIAL)
    signature = case["signature"]
    await service.update_case(signature, {"status": "w_toku", "assigned_to": "jan.k"}, OFFICIAL)
    done = await service.update_case(signature, {"status": "zakonczona"}, OFFICIAL)
    assert done["closed_on"] == "2026-12-03" and done["status_label"] == "zakończona"
    with pytest.raises(CaseConflict):
        await service.update_case(signature, {"status": "w_toku"}, OFFICIAL)
    with pytest.raises(CaseConflict):
        await service.update_case(signature, {"title": "inny"}, OFFICIAL)
    actions = [a["action"] for a in await service.metryka(signature, OFFICIAL)]
    assert actions == ["rejestracja", "przydzielenie", "status", "status"]
    with pytest.raises(InvalidValue):
        await service.update_case(signature, {"kolor": "zielony"}, OFFICIAL)


async def test_overdue_and_nearly_due_lists_carry_the_art_36_reminder(
    service: CaseService,
) -> None:
    old = await service.register(case_body(started_on="2026-10-01"), OFFICIAL)
    soon = await service.register(
        case_body(started_on="2026-11-26", deadline_kind="zaswiadczenie"), OFFICIAL
    )
    later = await service.register(case_body(), OFFICIAL)
    paused = await service.register(case_body(started_on="2026-09-01"), OFFICIAL)
    await service.update_case(paused["signature"], {"status": "zawieszona"}, OFFICIAL)
    lists = await service.deadlines(7)
    assert [c["signature"] for c in lists["overdue"]] == [old["signature"]]
    assert "art. 36" in lists["overdue"][0]["reminder"]
    assert [c["signature"] for c in lists["due_soon"]] == [soon["signature"]]
    assert (await service.case(later["signature"], OFFICIAL))["reminder"] is None
    moved = await service.update_case(
        old["signature"],
        {"deadline": "2026-12-18", "reason": "Zawiadomienie z art. 36 KPA wysłane."},
        OFFICIAL,
    )
    assert moved["deadline"] == "2026-12-18" and not moved["overdue"]
    with pytest.raises(InvalidValue):
        await service.update_case(old["signature"], {"deadline": "2026-12-19"}, OFFICIAL)


async def test_spis_spraw_lists_a_unit_class_and_year_in_order(service: CaseService) -> None:
    for title in ("Pierwsza", "Druga", "Trzecia"):
        await service.register(case_body(title=title), OFFICIAL)
    await service.register(case_body(jrwa="3111"), OFFICIAL)
    spis = await service.register_list("FN", "3110", 2026)
    assert [(r["lp"], r["title"]) for r in spis["sprawy"]] == [
        (1, "Pierwsza"),
        (2, "Druga"),
        (3, "Trzecia"),
    ]
    assert spis["jrwa_name"] == "Podatek od nieruchomości"
    assert spis["sprawy"][0]["parties"] == ["Jan Testowy"]


async def test_unknown_class_and_the_office_list(service: CaseService, tmp_path: Path) -> None:
    with pytest.raises(UnknownJrwaClass):
        await service.register(case_body(jrwa="9999"), OFFICIAL)
    assert (await service.jrwa_classes())["source"] == "wbudowany wycinek"
    await service.load_jrwa([jrwa.JrwaClass("9999", "Sprawy próbne", "B5")])
    listed = await service.jrwa_classes()
    assert listed["source"] == "urząd" and listed["names"] == {"9999": "Sprawy próbne"}
    assert (await service.register(case_body(jrwa="9999"), OFFICIAL))["jrwa"] == "9999"
    with pytest.raises(UnknownJrwaClass):
        await service.register(case_body(), OFFICIAL)  # 3110 is not in the loaded list


def test_cli_loads_a_csv_list(tmp_path: Path) -> None:
    from argparse import Namespace

    from cic.config import Settings

    listing = tmp_path / "wykaz.csv"
    listing.write_text("symbol;hasło;kategoria\n0052;Próba zer;A\n3110;Podatki;BE5\n", "utf-8")
    settings = Settings(state_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path / 'c.db'}")
    assert run_cli(settings, Namespace(action="load-jrwa", file=listing))["loaded"] == 2
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    from cic.cases.catalogue import catalogue

    names = store.run_sync(catalogue)["names"]
    store.engine.dispose()
    assert names == {"0052": "Próba zer", "3110": "Podatki"}


async def test_bad_registration_values_are_refused_in_polish(service: CaseService) -> None:
    bad: list[dict[str, object]] = [
        case_body(title=""),
        case_body(title="x" * 501),
        case_body(unit="123"),
        case_body(jrwa=3110),
        case_body(started_on="2026-12-31"),
        case_body(started_on="wczoraj"),
        case_body(deadline_kind="tydzien"),
        case_body(parties=[{"role": "strona"}]),
        case_body(parties="Jan"),
        case_body(title="a\x00b"),
        case_body(call_id=""),
    ]
    for body in bad:
        with pytest.raises(InvalidValue) as raised:
            await service.register(body, OFFICIAL)
        assert raised.value.status == 400 and raised.value.message
    assert await service.cases(CasesQuery(), OFFICIAL) == []


async def test_suspension_does_not_count_towards_the_deadline(db_url: str) -> None:
    migrate(db_url)
    store = Store(db_url)
    days = {"today": date(2026, 11, 2)}
    service = CaseService(store, today=lambda: days["today"])
    case = await service.register(case_body(), OFFICIAL)
    assert case["deadline"] == "2026-12-02"
    days["today"] = date(2026, 11, 10)
    await service.update_case(case["signature"], {"status": "zawieszona"}, OFFICIAL)
    days["today"] = date(2026, 11, 20)
    resumed = await service.update_case(case["signature"], {"status": "w_toku"}, OFFICIAL)
    # 10 days of suspension: 12 December 2026 is a Saturday, so Monday 14 December
    assert resumed["deadline"] == "2026-12-14"
    last = (await service.metryka(case["signature"], OFFICIAL))[-1]
    assert last["action"] == "termin" and "art. 35 § 5" in last["description"]
    await store.close()


async def test_agents_link_their_report_only_to_a_case_the_caller_has_open(
    service: CaseService,
) -> None:
    await add_calls(
        service, ("c-old", "48600100200", AGENT.interface),
        ("c-now", "0600100200", AGENT.interface), ("c-other", "48600999888", AGENT.interface),
    )  # fmt: skip
    earlier = await service.create_report({"topic": "Podatek", "call_id": "c-old"}, AGENT)
    callers = await service.register(case_body(), OFFICIAL, report_id=earlier["id"])
    strangers = await service.register(case_body(), OFFICIAL)
    elsewhere = await service.create_report({"topic": "x", "call_id": "c-other"}, AGENT)
    await service.register(case_body(), OFFICIAL, report_id=elsewhere["id"])
    # the same resident calls again (another spelling of the number); the agent notes it
    report = await service.create_report({"topic": "Raty", "call_id": "c-now"}, AGENT)
    with pytest.raises(CaseNotFound):  # a case of someone else: as if it did not exist
        await service.link_report_to_case(report["id"], strangers["signature"], AGENT)
    with pytest.raises(Forbidden):  # not the agent's report
        await service.link_report_to_case(report["id"], callers["signature"], OTHER_AGENT)
    linked = await service.link_report_to_case(report["id"], callers["signature"], AGENT)
    assert sorted(linked["reports"]) == sorted([earlier["id"], report["id"]])
    assert "c-now" in linked["calls"]
    actions = await service.metryka(callers["signature"], OFFICIAL)
    assert [a["actor"] for a in actions if a["action"] == "zgloszenie"][-1] == AGENT.username
    # officials link any report to any case
    loose = await service.create_report({"topic": "y", "call_id": "c-now"}, AGENT)
    await service.link_report_to_case(loose["id"], strangers["signature"], OFFICIAL)
