"""The "who is free" directory and what of the bus an agent's console receives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cic.agents.directory import NO_DEPARTMENT, directory
from cic.agents.models import Queue
from cic.agents.service import AgentService
from cic.bus import InProcessBus
from cic.calls.service import CallService
from cic.console.views import _for_agent
from cic.db import Store
from cic.departments.models import Department
from cic.events import AgentDeviceChanged

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class FakePbx:
    """Accepts every AMI operation."""

    async def queue_add(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def queue_remove(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def queue_pause(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
async def agents(tmp_path: Path) -> AgentService:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()

    def seed(db: Session) -> None:
        db.add_all([Department(code="FN", name="Finanse i podatki"),
                    Queue(name="pierwsza-linia", title="Pierwsza linia")])  # fmt: skip
        db.flush()
        fn = db.query(Department).filter_by(code="FN").one()
        db.add(Queue(name="finanse", title="Finanse i podatki", department_id=fn.id))

    await store.run(seed)
    svc = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30, clock=lambda: T0)
    fn_id = await store.run(lambda db: db.query(Department).filter_by(code="FN").one().id)
    await svc.create_agent("anna", "Anna Pierwsza", queues=["pierwsza-linia"])
    await svc.create_agent("piotr", "Piotr Podatkowy", queues=["finanse"], department_id=fn_id)
    await svc.login("piotr")
    await svc.on_event(AgentDeviceChanged(T0, "PJSIP/agent-piotr", "NOT_INUSE"))
    return svc


async def test_directory_groups_agents_by_department_with_live_state(
    agents: AgentService,
) -> None:
    view = await directory(agents.store, agents)
    names = [d["name"] for d in view["departments"]]
    assert names == ["Finanse i podatki", NO_DEPARTMENT]  # no department comes last
    finance = view["departments"][0]
    assert finance["code"] == "FN"
    assert [(a["username"], a["state"]) for a in finance["agents"]] == [("piotr", "available")]
    assert [a["state"] for a in view["departments"][1]["agents"]] == ["offline"]
    assert {q["name"]: q["department"] for q in view["queues"]} == {
        "finanse": "FN", "pierwsza-linia": ""}  # fmt: skip


async def test_console_gets_colleagues_presence_and_its_own_transfer_pops(
    agents: AgentService,
) -> None:
    anna = agents.get("anna")
    calls = CallService(agents.store, InProcessBus())
    colleague = await _for_agent({"type": "AgentPresence", "username": "piotr",
                                  "state": "on_call", "label": "w rozmowie",
                                  "queues": [], "since": None}, anna, calls)  # fmt: skip
    expected = {"type": "ColleaguePresence", "username": "piotr", "display_name": None,
                "state": "on_call", "label": "w rozmowie"}  # fmt: skip
    assert colleague == expected
    offer = {"type": "TransferOffered", "transfer_id": 1, "call_id": "c1", "kind": "consult",
             "from_agent": "PJSIP/agent-piotr", "to_agent": "PJSIP/agent-anna", "to_queue": "",
             "note": "pyta o ratę", "caller_number": "48500100501", "caller_name": "Jan",
             "matter": ""}  # fmt: skip
    pop = await _for_agent(offer, anna, calls)
    assert pop is not None and pop["note"] == "pyta o ratę" and pop["history"] == []
    other = await _for_agent({**offer, "to_agent": "PJSIP/agent-zofia"}, anna, calls)
    assert other is None
    mine = {"type": "TransferChanged", "transfer": {"id": 1, "call_id": "c1", "kind": "consult",
            "state": "returned", "from_agent": "PJSIP/agent-anna", "note": "x"}}  # fmt: skip
    changed = await _for_agent(mine, anna, calls)
    assert changed == {"type": "TransferChanged", "id": 1, "call_id": "c1", "kind": "consult",
                       "state": "returned", "target": None}  # fmt: skip
    theirs = {"type": "TransferChanged", "transfer": {"from_agent": "PJSIP/agent-piotr"}}
    assert await _for_agent(theirs, anna, calls) is None
