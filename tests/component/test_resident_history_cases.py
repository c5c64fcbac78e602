"""One story across domains: a resident's call noted as a contact report, the report handed to
a department which registers a case; the call shows on the resident's history (with the report
and the case) and on the case's metryka. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.cases.service import Actor, CaseService
from cic.db import Store
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService

AGENT = Actor("konsultant1", "agent", "PJSIP/agent-konsultant1")
OFFICIAL = Actor("ewa.urzednik", "specialist")


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[tuple[ResidentService, CaseService]]:
    store = Store(db_url)
    store.migrate()
    cases = CaseService(store, today=lambda: date(2026, 12, 3))

    async def contacts(call_ids: list[str], username: str, role: str) -> dict[str, Any]:
        return await cases.for_calls(call_ids, Actor(username, role))

    yield ResidentService(store, [contacts]), cases
    await store.close()


async def test_call_report_and_case_on_history_and_metryka(
    services: tuple[ResidentService, CaseService],
) -> None:
    residents, cases = services
    resident = await residents.create(
        NewResident.model_validate({"name": "Jan Testowy", "numbers": ["600100200"]}), "a"
    )

    def calls(session: Session) -> None:
        at = datetime(2026, 12, 3, 9, tzinfo=UTC)
        session.add(Call(call_id="c1", caller_number="48600100200", outcome="answered",
                         entered_at=at, agent=AGENT.interface))  # fmt: skip

    residents.store.run_sync(calls)
    report = await cases.create_report(
        {"topic": "wycinka drzewa", "note": "Notatka służbowa: pyta o zezwolenie.",
         "call_id": "c1"}, AGENT,
    )  # fmt: skip
    case = await cases.register(
        {"unit": "OŚ", "jrwa": "6131", "title": "Zezwolenie na usunięcie drzewa"},
        OFFICIAL, report_id=report["id"],
    )  # fmt: skip
    history = await residents.history(resident["id"], username="ewa.urzednik", role="specialist")
    assert [c["call_id"] for c in history["calls"]] == ["c1"]
    assert [r["id"] for r in history["contacts"]["reports"]] == [report["id"]]
    assert [c["signature"] for c in history["contacts"]["cases"]] == [case["signature"]]
    metryka = await cases.metryka(case["signature"], OFFICIAL)
    assert any("c1" in str(entry) for entry in metryka), metryka
    # The agent who wrote the report sees the case linked to it; another agent does not.
    own = await residents.history(resident["id"], username="konsultant1", role="agent")
    assert [c["signature"] for c in own["contacts"]["cases"]] == [case["signature"]]
    other = await residents.history(resident["id"], username="konsultant2", role="agent")
    assert other["contacts"]["cases"] == []
