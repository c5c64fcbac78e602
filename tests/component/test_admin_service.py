"""Admin of agents, departments and queues against a real SQLite store and a fake PBX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cic.admin.errors import Conflict, InvalidValue, NotFound
from cic.admin.office import OfficeAdmin
from cic.admin.queues import QueueAdmin
from cic.admin.service import AdminService
from cic.agents.service import AgentService
from cic.auth import passwords, users
from cic.auth.models import AuditEntry
from cic.bus import InProcessBus
from cic.config import OfficeSettings
from cic.db import Store
from cic.departments.errors import DepartmentExists, DepartmentNotFound
from cic.departments.service import DepartmentService
from cic.routing.calendar import OfficeCalendar
from tests.component.test_agent_service import FakePbx

ODD = "<script>alert(1)</script> Zażółć gęślą jaźń ąęłńóśźż 🙂"


class Env:
    def __init__(self, tmp_path: Path) -> None:
        self.store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
        self.store.migrate()
        self.pbx = FakePbx()
        self.reprovisions = 0
        self.queue_reloads = 0

        async def reprovision() -> None:
            self.reprovisions += 1

        async def reload_queues() -> None:
            self.queue_reloads += 1

        self.agents = AgentService(
            self.store, InProcessBus(), self.pbx, wrapup_seconds=30, reprovision=reprovision
        )
        office = OfficeSettings()
        self.admin = AdminService(
            self.agents,
            DepartmentService(self.store),
            QueueAdmin(self.store, reload_queues),
            OfficeAdmin(self.store, office, OfficeCalendar(office), lambda r: None, reload_queues),
            "pierwsza-linia",
        )

    async def actions(self) -> list[tuple[str, str, str]]:
        def read(session: Any) -> list[tuple[str, str, str]]:
            rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            return [(r.action, r.actor, r.target) for r in rows]

        return await self.store.run(read)


@pytest.fixture
async def env(tmp_path: Path) -> Env:
    e = Env(tmp_path)
    await e.agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    return e


async def test_departments_create_edit_and_conflicts(env: Env) -> None:
    d = env.admin
    made = await d.create_department({"code": "fn", "name": ODD}, "root", "127.0.0.1")
    assert made == {"id": made["id"], "code": "FN", "name": ODD, "hours": None, "active": True}
    with pytest.raises(DepartmentExists) as err:
        await d.create_department({"code": "FN", "name": "Drugi"}, "root")
    assert (err.value.status, err.value.error_id) == (409, "already_exists")
    assert err.value.message == "Wydział FN już istnieje."
    own = {"mon": ["09:00-12:00"]}
    changed = await d.update_department("fn", {"hours": own, "active": False}, "root")
    assert changed["hours"]["mon"] == ["09:00-12:00"] and changed["hours"]["tue"] == []
    assert changed["active"] is False
    assert (await d.update_department("FN", {"hours": None}, "root"))["hours"] is None
    with pytest.raises(InvalidValue):
        await d.update_department("FN", {"name": "x" * 201}, "root")
    with pytest.raises(DepartmentNotFound) as missing:
        await d.update_department("XX", {"name": "x"}, "root")
    assert (missing.value.status, missing.value.error_id) == (404, "not_found")
    assert missing.value.message == "Nie ma wydziału o symbolu 'XX'."
    found = await d.departments.get("fn")
    assert found is not None and (found.code, found.hours, found.active) == ("FN", None, False)
    assert await d.departments.get("XX") is None
    assert [a[0] for a in await env.actions()] == [
        "department_created", "department_updated", "department_updated",
    ]  # fmt: skip


async def test_queues_create_and_strategy_change_reload_app_queue(env: Env) -> None:
    await env.admin.create_department({"code": "FN", "name": "Finanse"}, "root")
    d = env.admin.queues
    queue = await d.create_queue(
        {"name": "podatki", "title": "Podatki", "strategy": "leastrecent", "department": "FN"},
        "root",
    )
    assert queue == {"name": "podatki", "title": "Podatki", "strategy": "leastrecent",
                     "department": "FN", "members": 0}  # fmt: skip
    assert env.queue_reloads == 1
    assert ("podatki", "leastrecent") in await env.agents.queue_names()
    await d.update_queue("podatki", {"title": "Podatki lokalne"}, "root")
    assert env.queue_reloads == 1  # a title is not Asterisk's business
    await d.update_queue("podatki", {"strategy": "ringall", "department": None}, "root")
    assert env.queue_reloads == 2
    assert (await d.queues())[1]["department"] is None
    for bad in ({"name": "Podatki", "title": "x"}, {"name": "x", "title": "x", "strategy": "y"},
                {"name": "x", "title": ""}):  # fmt: skip
        with pytest.raises(InvalidValue):
            await d.create_queue(bad, "root")
    with pytest.raises(Conflict):
        await d.create_queue({"name": "podatki", "title": "Znowu"}, "root")
    with pytest.raises(DepartmentNotFound):
        await d.create_queue({"name": "x", "title": "x", "department": "ZZ"}, "root")


async def test_create_agent_with_account_and_odd_name(env: Env) -> None:
    await env.admin.create_department({"code": "OR", "name": "Organizacyjny"}, "root")
    out = await env.admin.create_agent(
        {"username": "ewa", "display_name": ODD, "department": "OR", "create_account": True,
         "role": "specialist", "queues": [{"queue": "pierwsza-linia", "penalty": 2}]},
        "root", "127.0.0.1",
    )  # fmt: skip
    assert out["display_name"] == ODD and out["department"] == "OR"
    assert out["queues"] == [{"queue": "pierwsza-linia", "penalty": 2}]
    assert env.reprovisions == 1 and env.agents.get("ewa").queues == (("pierwsza-linia", 2),)
    password = out["account"]["initial_password"]
    assert len(password) >= passwords.MIN_LENGTH

    def account(session: Any) -> tuple[str, bool, int | None]:
        user = users.find(session, "ewa")
        assert user is not None
        ok, _ = passwords.verify_password(user.password_hash, password)
        return user.role, ok, user.agent_id

    role, ok, agent_id = await env.store.run(account)
    assert role == "specialist" and ok and agent_id is not None
    listed = await env.admin.list_agents()
    assert listed[0]["accounts"] == [{"username": "ewa", "role": "specialist", "active": True}]
    assert "initial_password" not in str(listed)
    assert ("agent_created", "root", "ewa") in await env.actions()


@pytest.mark.parametrize(
    "body",
    [
        {"username": "Ewa", "display_name": "Ewa"},
        {"username": "ewa", "display_name": "ż" * 300},
        {"username": "ewa", "display_name": " "},
        {"username": "ewa", "display_name": "Ewa", "queues": [{"queue": "nie-ma"}]},
        {"username": "ewa", "display_name": "Ewa", "department": "ZZ"},
        {"username": "ewa", "display_name": "Ewa", "create_account": True, "role": "admin"},
        {"username": "ewa", "display_name": "Ewa", "static_contact": "http://x"},
    ],
)
async def test_bad_agents_are_refused_before_anything_is_made(
    env: Env, body: dict[str, Any]
) -> None:
    with pytest.raises((InvalidValue, NotFound, DepartmentNotFound)):
        await env.admin.create_agent(body, "root")
    assert env.reprovisions == 0 and env.agents.agents() == []


async def test_edit_queues_of_a_logged_in_agent_follows_in_asterisk(env: Env) -> None:
    await env.admin.queues.create_queue({"name": "podatki", "title": "Podatki"}, "root")
    await env.admin.create_agent({"username": "anna", "display_name": "Anna"}, "root")
    await env.agents.login("anna")
    await env.agents.pause("anna", "przerwa")
    env.pbx.calls.clear()
    out = await env.admin.update_agent(
        "anna", {"queues": [{"queue": "podatki", "penalty": 1}]}, "root"
    )
    assert out["queues"] == [{"queue": "podatki", "penalty": 1}]
    iface = "PJSIP/agent-anna"
    assert env.pbx.calls == [
        ("remove", "pierwsza-linia", iface), ("add", "podatki", iface),
        ("pause", iface, True, "przerwa"),
    ]  # fmt: skip
    assert env.agents.presence("anna")["state"] == "paused"
    before = env.reprovisions
    await env.admin.update_agent("anna", {"display_name": "Anna Nowak"}, "root")
    assert env.reprovisions == before + 1 and env.agents.get("anna").display_name == "Anna Nowak"
    with pytest.raises(InvalidValue):
        await env.admin.update_agent("anna", {}, "root")


async def test_deactivate_logs_out_drops_the_endpoint_and_can_be_undone(env: Env) -> None:
    await env.admin.create_agent({"username": "jan", "display_name": "Jan"}, "root")
    await env.agents.login("jan")
    env.pbx.calls.clear()
    before = env.reprovisions
    out = await env.admin.deactivate_agent("jan", "root")
    assert out["active"] is False and out["state"] == ""
    assert ("remove", "pierwsza-linia", "PJSIP/agent-jan") in env.pbx.calls
    assert env.reprovisions == before + 1
    assert [a.username for a in env.agents.agents()] == []  # not provisioned any more
    with pytest.raises(NotFound):
        await env.admin.deactivate_agent("jan", "root")
    back = await env.admin.update_agent("jan", {"active": True}, "root")
    assert back["active"] is True and back["state"] == "niezalogowany"
    assert [a.username for a in env.agents.agents()] == ["jan"]
    actions = [a[0] for a in await env.actions()]
    assert actions[-2:] == ["agent_deactivated", "agent_activated"]
