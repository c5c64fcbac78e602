"""Stored office settings: validated, audited, applied at once to routing, agents and dialplan."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cic.admin.errors import InvalidValue
from cic.admin.models import OfficeSetting
from cic.admin.office import OfficeAdmin, apply_stored
from cic.agents.errors import InvalidAgent
from cic.agents.service import AgentService
from cic.asterisk.decisions import RouteRequest
from cic.auth.models import AuditEntry
from cic.bus import InProcessBus
from cic.config import OfficeSettings
from cic.db import Store
from cic.routing.calendar import OfficeCalendar
from cic.routing.service import RoutingService
from tests.component.test_agent_service import FakePbx

WAW = ZoneInfo("Europe/Warsaw")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=WAW)
ALL_DAY = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class History:
    async def last_agent(self, caller_number: str, since: datetime) -> str | None:
        return None


class Nobody:
    def is_available(self, interface: str) -> bool:
        return False


class Env:
    """The office admin wired to a real store, calendar, routing and agents service."""

    def __init__(self, tmp_path: Path) -> None:
        self.store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
        self.store.migrate()
        self.office = OfficeSettings(hours=dict(ALL_DAY))
        self.calendar = OfficeCalendar(self.office)
        self.routing = RoutingService(
            self.office, self.calendar, History(), Nobody(), clock=lambda: MONDAY_10
        )
        self.agents = AgentService(
            self.store, InProcessBus(), FakePbx(), wrapup_seconds=30,
            pause_reasons=self.office.pause_reasons,
        )  # fmt: skip
        self.policy_applied = 0
        self.admin = self.make_admin()

    def make_admin(self) -> OfficeAdmin:
        async def apply_policy() -> None:
            self.policy_applied += 1

        return OfficeAdmin(
            self.store, self.office, self.calendar,
            lambda reasons: setattr(self.agents, "pause_reasons", reasons), apply_policy,
        )  # fmt: skip

    async def route(self) -> str:
        decision = await self.routing.decide(RouteRequest("c1", "48500100200", "", "1000", "x"))
        return decision.action


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


async def test_closing_hours_route_the_next_call_to_closed(env: Env) -> None:
    assert await env.route() == "queue"
    closed_monday = {**ALL_DAY, "mon": ["06:00-07:00", "18:00-20:00"]}
    out = await env.admin.update({"hours": closed_monday}, "root", "127.0.0.1")
    assert out["values"]["hours"]["mon"] == ["06:00-07:00", "18:00-20:00"]
    assert await env.route() == "closed"
    assert env.calendar.is_open(MONDAY_10).reason == "closed_hours"
    await env.admin.update({"hours": None}, "root")  # back to the configured all-day hours
    assert await env.route() == "queue"


async def test_closed_day_applies_at_once(env: Env) -> None:
    await env.admin.update({"closed_days": ["2026-11-30"]}, "root")
    assert env.calendar.is_open(MONDAY_10).reason == "closed_day"
    assert await env.route() == "closed"


async def test_policy_change_rerenders_only_when_it_changes(env: Env) -> None:
    await env.admin.update({"recording_policy": "always"}, "root")
    assert env.office.recording_policy == "always" and env.policy_applied == 1
    await env.admin.update({"recording_policy": "always"}, "root")
    assert env.policy_applied == 1
    await env.admin.update({"pause_reasons": ["obiad"]}, "root")
    assert env.policy_applied == 1


async def test_pause_reasons_used_by_the_agents_service(env: Env) -> None:
    await env.agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await env.agents.create_agent("anna", "Anna", queues=["pierwsza-linia"])
    await env.agents.login("anna")
    await env.admin.update({"pause_reasons": ["obiad", "wizyta w archiwum"]}, "root")
    assert env.agents.pause_reasons == ["obiad", "wizyta w archiwum"]
    assert env.office.pause_reasons == ["obiad", "wizyta w archiwum"]
    with pytest.raises(InvalidAgent):
        await env.agents.pause("anna", "przerwa")  # a configured reason, no longer allowed
    assert (await env.agents.pause("anna", "wizyta w archiwum"))["state"] == "paused"


async def test_invalid_changes_are_refused_and_change_nothing(env: Env) -> None:
    before = json.dumps(env.admin.as_dict()["values"])
    for bad in (
        {"hours": {"mon": ["16:00-08:00"]}},
        {"recording_policy": "maybe"},
        {"colour": "red"},
        {},
        {"hours": dict(ALL_DAY), "pause_reasons": []},
    ):
        with pytest.raises(InvalidValue):
            await env.admin.update(bad, "root")
    assert json.dumps(env.admin.as_dict()["values"]) == before
    assert await env.store.run(lambda s: list(s.scalars(select(OfficeSetting)))) == []


async def test_stored_settings_survive_a_restart_and_are_audited(env: Env, tmp_path: Path) -> None:
    await env.admin.update(
        {"recording_policy": "opt-in", "closed_days": ["2026-12-31"]}, "root", "10.0.0.9"
    )
    fresh = OfficeSettings(hours=dict(ALL_DAY))
    restarted = OfficeAdmin(env.store, fresh, OfficeCalendar(fresh), lambda r: None, _nothing)
    await restarted.load()
    assert fresh.recording_policy == "opt-in" and fresh.closed_days == ["2026-12-31"]
    assert restarted.as_dict()["stored"]["recording_policy"]["updated_by"] == "root"
    assert restarted.as_dict()["defaults"]["recording_policy"] == "opt-out"
    other = OfficeSettings()
    apply_stored(other, env.store)  # what `cic asterisk install` renders the dialplan from
    assert other.recording_policy == "opt-in"

    def entries(session: Any) -> list[AuditEntry]:
        return list(session.scalars(select(AuditEntry)))

    (entry,) = await env.store.run(entries)
    assert (entry.action, entry.actor, entry.ip) == ("office_settings_changed", "root", "10.0.0.9")
    assert entry.detail["old"]["recording_policy"] == "opt-out"
    assert entry.detail["new"]["recording_policy"] == "opt-in"


async def test_a_bad_stored_row_falls_back_to_the_configuration(env: Env) -> None:
    def corrupt(session: Any) -> None:
        session.add(OfficeSetting(key="recording_policy", value='"sometimes"'))
        session.add(OfficeSetting(key="hours", value="not json"))

    await env.store.run(corrupt)
    await env.admin.load()
    assert env.office.recording_policy == "opt-out"
    assert env.office.hours == ALL_DAY


async def _nothing() -> None:
    return None
