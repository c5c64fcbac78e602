"""The department menu: validating it, its prompt, routing a key, department hours, and the
store lookup that keeps its last answer when the database fails."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cic.admin.errors import InvalidValue
from cic.admin.validation import department_menu, status_key
from cic.agents.models import Queue
from cic.asterisk.decisions import RouteRequest
from cic.asterisk.prompts import prompt_texts
from cic.config import OfficeSettings
from cic.db import Store
from cic.departments.models import Department
from cic.latency import Stages
from cic.routing.calendar import OfficeCalendar
from cic.routing.departments import StoredDepartments
from cic.routing.menu import (
    DepartmentRoute,
    MenuError,
    MenuRouter,
    menu_variables,
    parse_menu,
    spoken_menu,
)
from cic.routing.service import RoutingService
from tests.component.test_routing import FakeHistory, FakePresence

WAW = ZoneInfo("Europe/Warsaw")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=WAW)
MONDAY_15 = datetime(2026, 11, 30, 15, 0, tzinfo=WAW)
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, 0, tzinfo=WAW)  # a public holiday from 2025
MENU = [
    {"key": "1", "department": "FN", "label": "podatki i opłaty lokalne"},
    {"key": "2", "department": "usc", "label": "akty stanu cywilnego"},
    {"key": "3", "department": "GK", "label": "odpady i drogi"},
]
FN_HOURS = {"mon": ["08:00-14:00"], "tue": ["08:00-14:00"]}


class FakeDepartments:
    def __init__(self) -> None:
        self.rows = {
            "FN": DepartmentRoute("FN", "Finanse i podatki", "finanse", FN_HOURS, True),
            "USC": DepartmentRoute("USC", "Urząd Stanu Cywilnego", "usc", None, True),
            "GK": DepartmentRoute("GK", "Gospodarka komunalna", "", None, True),
        }
        self.error: Exception | None = None

    async def get(self, code: str) -> DepartmentRoute | None:
        if self.error is not None:
            raise self.error
        return self.rows.get(code)


def router(at: datetime = MONDAY_10, **office: object) -> tuple[MenuRouter, FakeDepartments]:
    settings = OfficeSettings(department_menu=list(MENU), **office)  # type: ignore[arg-type]
    departments = FakeDepartments()
    return MenuRouter(settings, OfficeCalendar(settings), departments, lambda: at), departments


def test_menu_is_validated_with_polish_messages() -> None:
    options = parse_menu(MENU)
    assert [(o.key, o.department) for o in options] == [("1", "FN"), ("2", "USC"), ("3", "GK")]
    assert parse_menu([]) == [] and parse_menu(None) == []
    bad = [
        ({"key": "0", "department": "FN", "label": "x"}, "klawisz od 1 do 9"),
        ({"key": "12", "department": "FN", "label": "x"}, "klawisz od 1 do 9"),
        ({"key": "1", "department": "1FN", "label": "x"}, "symbol wydziału"),
        ({"key": "1", "department": "FN", "label": "  "}, "co mówi zapowiedź"),
        ({"key": "1", "department": "FN", "label": "a\nb" * 50}, "najwyżej 80"),
        ({"key": "1", "department": "FN", "label": "x", "queue": "q"}, "pola key"),
    ]
    for item, message in bad:
        with pytest.raises(MenuError, match=message):
            parse_menu([item])
    with pytest.raises(MenuError, match="użyty dwa razy"):
        parse_menu([MENU[0], {**MENU[1], "key": "1"}])
    with pytest.raises(InvalidValue, match="oczekiwano listy"):
        department_menu({"1": "FN"})
    stored = department_menu([{"key": " 2", "department": "usc", "label": " akty  stanu "}])
    assert stored == [{"key": "2", "department": "USC", "label": "akty stanu"}]


def test_prompt_reads_the_menu_in_polish() -> None:
    texts = prompt_texts(
        office := OfficeSettings(department_menu=list(MENU)), menu=spoken_menu(office)
    )
    assert texts["menu"].startswith("W sprawie: podatki i opłaty lokalne, proszę nacisnąć jeden.")
    assert "akty stanu cywilnego, proszę nacisnąć dwa" in texts["menu"]
    assert texts["menu"].endswith("punktem obsługi mieszkańców, proszę nacisnąć zero.")
    assert "nieczynny" in texts["department-closed"]
    # A bad stored menu never breaks the prompts: the menu prompt is a plain "please wait".
    bad = OfficeSettings(department_menu=[{"key": "x"}])
    assert prompt_texts(bad, menu=spoken_menu(bad))["menu"] == "Proszę czekać na połączenie."


async def test_a_key_routes_to_the_open_department_queue() -> None:
    menu, _ = router()
    decision, notice = await menu.choose("c1", "2")
    assert (decision.action, decision.target, decision.reason) == ("queue", "usc", "menu:USC")
    assert decision.queue == "pierwsza-linia" and notice == ""
    assert "akty stanu cywilnego" in decision.reason_text
    assert menu_variables(decision, notice)[-1] == ("CIC_ACTION", "queue")


async def test_department_hours_apply_and_closed_goes_to_first_line_with_a_notice() -> None:
    assert (await router(MONDAY_10)[0].choose("c", "1"))[0].target == "finanse"
    decision, notice = await router(MONDAY_15)[0].choose("c", "1")
    assert decision.target == "pierwsza-linia" and notice == "department-closed"
    assert decision.reason == "menu_department_closed:FN"
    # USC keeps the office's hours (07:30-15:30 on weekdays except Monday 08:00-16:00)
    assert (await router(MONDAY_15)[0].choose("c", "2"))[0].target == "usc"
    # Holidays close every department, whatever its hours.
    decision, _ = await router(CHRISTMAS_EVE)[0].choose("c", "2")
    assert decision.reason == "menu_department_closed:USC"


async def test_changed_department_hours_apply_to_the_next_call() -> None:
    menu, departments = router(MONDAY_15)
    assert (await menu.choose("c", "1"))[0].reason == "menu_department_closed:FN"
    departments.rows["FN"] = DepartmentRoute(
        "FN", "Finanse", "finanse", {"mon": ["08:00-16:00"]}, True
    )
    assert (await menu.choose("c", "1"))[0].reason == "menu:FN"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "menu_no_choice"),
        ("0", "menu_first_line"),
        ("9", "menu_invalid"),
        ("*", "menu_invalid"),
        ("3", "menu_unavailable:GK"),
    ],
)
async def test_other_keys_go_to_the_first_line(key: str, reason: str) -> None:
    decision, notice = await router()[0].choose("c", key)
    assert (decision.target, decision.reason, notice) == ("pierwsza-linia", reason, "")


async def test_inactive_or_missing_department_or_failing_lookup_goes_to_first_line() -> None:
    menu, departments = router()
    departments.rows["USC"] = DepartmentRoute("USC", "USC", "usc", None, False)
    assert (await menu.choose("c", "2"))[0].reason == "menu_unavailable:USC"
    del departments.rows["FN"]
    assert (await menu.choose("c", "1"))[0].reason == "menu_unavailable:FN"
    departments.error = RuntimeError("database down")
    assert (await menu.choose("c", "2"))[0].target == "pierwsza-linia"


async def test_routing_offers_the_menu_instead_of_the_first_line() -> None:
    office = OfficeSettings(department_menu=list(MENU))
    anna = "PJSIP/agent-anna"
    history = FakeHistory({"+48600100200": anna, "+48600100300": anna})
    presence = FakePresence({anna})
    service = RoutingService(office, OfficeCalendar(office), history, presence, lambda: MONDAY_10)

    def req(number: str) -> RouteRequest:
        return RouteRequest("c", number, "", "+48820000000", "PJSIP/trunk-1")

    new = await service.decide(req("+48600999999"))
    assert (new.action, new.target, new.reason) == ("menu", "", "first_line")
    assert "menu wydziałów" in new.reason_text
    returning = await service.decide(req("+48600100200"))
    assert (returning.action, returning.target) == ("agent", anna)
    presence.available.clear()
    busy = await service.decide(req("+48600100300"))
    assert busy.action == "menu" and busy.reason == f"agent_unavailable:{anna}"
    closed = await RoutingService(
        office, OfficeCalendar(office), history, presence, lambda: CHRISTMAS_EVE
    ).decide(req("+48600999999"))
    assert closed.action == "closed"


async def test_stored_departments_keep_the_last_answer_when_the_store_fails(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()

    def seed(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        session.add(Department(code="FN", name="Finanse", hours='{"mon": ["08:00-14:00"]}'))
        session.flush()
        fn = session.scalar(select(Department.id).where(Department.code == "FN"))
        session.add_all([Queue(name="fn-b", title="B", department_id=fn),
                         Queue(name="fn-a", title="A", department_id=fn)])  # fmt: skip

    store.run_sync(seed)
    stages = Stages()
    departments = StoredDepartments(store, stages=stages)
    found = await departments.get("FN")
    assert found == DepartmentRoute("FN", "Finanse", "fn-a", {"mon": ["08:00-14:00"]}, True)
    assert await departments.get("XX") is None
    store.engine.dispose()
    (tmp_path / "cic.db").unlink()
    (tmp_path / "cic.db").mkdir()  # the database file is gone and cannot be made again
    assert await departments.get("FN") == found
    assert await departments.get("USC") is None
    assert stages.summary()["menu"]["n"] == 4  # every lookup timed, failed ones too


async def test_case_status_key_leads_to_case_status_and_alone_turns_the_menu_on() -> None:
    menu, _ = router(case_status_key="8")
    decision, notice = await menu.choose("c", "8")
    assert (decision.action, decision.reason, notice) == ("case_status", "menu_case_status", "")
    only = OfficeSettings(case_status_key="8")
    service = RoutingService(only, OfficeCalendar(only), FakeHistory(), FakePresence(),
                             lambda: MONDAY_10)  # fmt: skip
    new = await service.decide(RouteRequest("c", "+48600999999", "", "1000", "PJSIP/t-1"))
    assert new.action == "menu"
    text = prompt_texts(only, menu=spoken_menu(only))["menu"]
    assert text == (
        "Aby sprawdzić stan swojej sprawy, proszę nacisnąć osiem. "
        "Aby porozmawiać z punktem obsługi mieszkańców, proszę nacisnąć zero."
    )
    assert "case-pin" in prompt_texts(only) and "case-locked" in prompt_texts(only)
    with pytest.raises(InvalidValue, match="stanu sprawy"):
        status_key("0")
    assert status_key(" 8 ") == "8" and status_key("") == ""


async def test_the_warnings_key_leads_to_warnings_and_alone_turns_the_menu_on() -> None:
    menu, _ = router(case_status_key="8", warnings_key="7")
    decision, notice = await menu.choose("c", "7")
    assert (decision.action, decision.reason, notice) == ("warnings", "menu_warnings", "")
    only = OfficeSettings(warnings_key="7")
    service = RoutingService(only, OfficeCalendar(only), FakeHistory(), FakePresence(),
                             lambda: MONDAY_10)  # fmt: skip
    new = await service.decide(RouteRequest("c", "+48600999999", "", "1000", "PJSIP/t-1"))
    assert new.action == "menu"
    assert spoken_menu(only) == (
        "Aby zapisać się na ostrzeżenia o zagrożeniach albo się z nich wypisać, proszę nacisnąć "
        "siedem. Aby porozmawiać z punktem obsługi mieszkańców, proszę nacisnąć zero."
    )
    with pytest.raises(MenuError, match="inny niż klawisz stanu sprawy"):
        router(case_status_key="8", warnings_key="8")


def test_the_tracker_reports_each_case_status_attempt() -> None:
    from cic.asterisk.tracker import Tracker
    from cic.events import CaseStatusChecked

    tracker = Tracker()
    start = {"Event": "UserEvent", "UserEvent": "CicCall", "CallId": "1.1",
             "Channel": "PJSIP/residents-1", "Linkedid": "1.1", "CallerIDNum": "48500100701",
             "CallerIDName": "", "Dialled": "1000", "Timestamp": "1796310000.0"}  # fmt: skip
    tracker.feed(start)
    base = {"Event": "UserEvent", "UserEvent": "CicCaseStatus", "CallId": "1.1",
            "Channel": "PJSIP/residents-1", "Linkedid": "1.1",
            "Timestamp": "1796310010.0"}  # fmt: skip
    first = tracker.feed({**base, "Result": "wrong", "Attempt": "1"})
    again = tracker.feed({**base, "Result": "wrong", "Attempt": "1"})  # a duplicate
    second = tracker.feed({**base, "Result": "ok", "Attempt": "2"})
    assert [type(e) for e in first] == [CaseStatusChecked] and again == []
    assert [(e.result, e.attempt) for e in first + second] == [("wrong", 1), ("ok", 2)]
    assert tracker.feed({**base, "Result": "ok", "Attempt": "x; rm"}) == []
