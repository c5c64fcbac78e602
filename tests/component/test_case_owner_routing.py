"""Routing to the owner of the caller's open case: found through the calls linked to the case
from any of the resident's numbers, rung when available, before the last agent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.agents.models import Agent
from cic.asterisk.decisions import RouteRequest
from cic.auth import users
from cic.calls.models import Call
from cic.cases.owners import MatterOwners
from cic.cases.service import Actor, CaseService
from cic.config import OfficeSettings
from cic.db import Store
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from cic.routing.calendar import OfficeCalendar
from cic.routing.service import RoutingService
from tests.component.test_routing import MONDAY_10, FakeHistory, FakePresence

EWA = "PJSIP/agent-ewa"
OFFICIAL = Actor("ewa.urzednik", "specialist")


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    store = Store(db_url)
    store.migrate()

    def seed(session: Session) -> None:
        session.add(Agent(username="ewa", display_name="Ewa", endpoint="agent-ewa"))
        session.flush()
        now = datetime(2026, 12, 1, tzinfo=UTC)
        users.add(session, "ewa.urzednik", "Ewa Urzędniczka", "specialist", "haslo-ewy-12345",
                  agent_username="ewa", now=now)  # fmt: skip
        session.add_all([Call(call_id="c1", caller_number="48600100200", outcome="answered",
                              entered_at=now),
                         Call(call_id="c2", caller_number="48600100300", outcome="answered",
                              entered_at=now)])  # fmt: skip

    store.run_sync(seed)
    yield store
    await store.close()


async def _case(store: Store, call_id: str, assigned: str = "ewa.urzednik") -> dict[str, Any]:
    cases = CaseService(store, today=lambda: date(2026, 12, 3))
    body = {"unit": "FN", "jrwa": "3110", "title": "Podatek", "assigned_to": assigned,
            "call_ids": [call_id]}  # fmt: skip
    return await cases.register(body, OFFICIAL)


async def test_owners_are_found_through_any_spelling_and_the_residents_numbers(
    store: Store,
) -> None:
    case = await _case(store, "c1")
    owners = MatterOwners(store)
    assert await owners.owners("+48 600 100 200") == [(EWA, case["signature"])]
    assert await owners.owners("0600100200") == [(EWA, case["signature"])]
    assert await owners.owners("48600100300") == []  # another number, no case
    residents = ResidentService(store)
    await residents.create(
        NewResident.model_validate({"name": "Jan", "numbers": ["600100200", "600100300"]}), "a"
    )
    assert await owners.owners("48600100300") == [(EWA, case["signature"])]  # same resident
    assert await owners.owners("anonymous") == [] and await owners.owners("") == []


async def test_closed_or_unassigned_cases_have_no_owner(store: Store) -> None:
    await _case(store, "c1", assigned="")
    await _case(store, "c2", assigned="nie.ma.takiego")
    owners = MatterOwners(store)
    assert await owners.owners("48600100200") == []
    assert await owners.owners("48600100300") == []
    case = await _case(store, "c1")
    cases = CaseService(store, today=lambda: date(2026, 12, 3))
    await cases.update_case(case["signature"], {"status": "zakonczona"}, OFFICIAL)
    assert await owners.owners("48600100200") == []


class FakeMatters:
    def __init__(self, owners: list[tuple[str, str]], error: Exception | None = None) -> None:
        self.list, self.error = owners, error

    async def owners(self, caller_number: str) -> list[tuple[str, str]]:
        if self.error is not None:
            raise self.error
        return self.list


def _service(matters: FakeMatters, available: set[str]) -> RoutingService:
    office = OfficeSettings()
    history = FakeHistory({"+48600100200": "PJSIP/agent-anna"})
    return RoutingService(office, OfficeCalendar(office), history, FakePresence(available),
                          lambda: MONDAY_10, matters=matters)  # fmt: skip


REQ = RouteRequest("c9", "+48600100200", "", "1000", "PJSIP/trunk-1")


async def test_routing_rings_the_available_owner_before_the_last_agent() -> None:
    matters = FakeMatters([("PJSIP/agent-zofia", "FN.3110.1.2026"), (EWA, "FN.3110.2.2026")])
    decision = await _service(matters, {EWA, "PJSIP/agent-anna"}).decide(REQ)
    assert (decision.action, decision.target) == ("agent", EWA)
    assert decision.reason == "case_owner:FN.3110.2.2026"
    assert "FN.3110.2.2026" in decision.reason_text
    # Owner busy: the last agent as before; owners failing: the same, the call goes on.
    busy = await _service(matters, {"PJSIP/agent-anna"}).decide(REQ)
    assert (busy.target, busy.reason) == ("PJSIP/agent-anna", "returning_caller:PJSIP/agent-anna")
    broken = FakeMatters([], RuntimeError("database down"))
    assert (await _service(broken, {"PJSIP/agent-anna"}).decide(REQ)).action == "agent"


async def test_open_matters_for_the_screen_pop(store: Store) -> None:
    from cic.agents.service import AgentService
    from cic.bus import InProcessBus
    from cic.calls.service import CallService
    from cic.console.views import _for_agent
    from tests.component.test_directory import FakePbx

    case = await _case(store, "c1")
    owners = MatterOwners(store)
    [matter] = await owners.open("0600100200")
    assert matter == {"signature": case["signature"], "status": case["status"],
                      "status_label": case["status_label"], "unit": "FN",
                      "deadline": case["deadline"]}  # fmt: skip
    agents = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30)
    await agents.load()
    ewa = agents.get("ewa")
    calls = CallService(store, InProcessBus())
    offered = {"type": "CallOffered", "call_id": "c2", "agent": ewa.interface}

    def now_from_jan(session: Session) -> None:
        row = session.query(Call).filter_by(call_id="c2").one()
        row.caller_number = "+48600100200"

    store.run_sync(now_from_jan)
    pop = await _for_agent(offered, ewa, calls, None, owners.open)
    assert pop is not None and [m["signature"] for m in pop["matters"]] == [case["signature"]]

    async def broken(_number: str) -> list[dict[str, Any]]:
        raise OSError("database down")

    degraded = await _for_agent(offered, ewa, calls, None, broken)
    assert degraded is not None and degraded["matters"] == []
