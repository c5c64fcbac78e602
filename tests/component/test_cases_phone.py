"""Case status by phone: the right code and PIN give the status in Polish and nothing more; wrong
ones say nothing; the tenth wrong attempt in a row is refused, per caller and per case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cic.cases.phone import PhoneStatus, spoken_date
from cic.cases.service import Actor, CaseService
from cic.cases.status import StatusChecks
from cic.db import Store
from cic.departments.models import Department

TODAY = date(2026, 12, 3)
OFFICIAL = Actor("ewa.urzednik", "specialist")
CALLER = "48500100701"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[CaseService, PhoneStatus, Clock]]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    store.run_sync(lambda s: s.add(Department(code="FN", name="Referat Finansowy")))
    clock = Clock()
    yield CaseService(store, today=lambda: TODAY), PhoneStatus(StatusChecks(store, clock)), clock
    await store.close()


async def _register(
    cases: CaseService, title: str = "Podatek — Jan Testowy, PESEL 00000000000"
) -> dict[str, Any]:
    body = {"unit": "FN", "jrwa": "3110", "title": title,
            "parties": [{"name": "Jan Testowy", "role": "strona"}]}  # fmt: skip
    return await cases.register(body, OFFICIAL)


def test_dates_are_spoken_with_polish_month_names() -> None:
    assert spoken_date(date(2027, 1, 4)) == "4 stycznia 2027"
    assert spoken_date(date(2026, 12, 24)) == "24 grudnia 2026"


async def test_the_right_pin_reads_status_department_and_deadline_only(
    world: tuple[CaseService, PhoneStatus, Clock],
) -> None:
    cases, phone, _ = world
    case = await _register(cases)
    answer = await phone.check(CALLER, case["phone_code"], case["pin"])
    assert answer.result == "ok"
    assert f"Sprawa {case['signature'].replace('.', ', ')}." in answer.text
    assert f"Stan sprawy: {case['status_label']}." in answer.text
    assert "Prowadzi: Referat Finansowy." in answer.text
    deadline = date.fromisoformat(case["deadline"])
    assert f"Termin załatwienia: {spoken_date(deadline)}." in answer.text
    for private in ("Jan", "Testowy", "PESEL", "Podatek"):
        assert private not in answer.text  # the title and parties are never read out


@pytest.mark.parametrize(
    ("code", "pin"),
    [("999", "123456"), ("", "123456"), ("1; DROP", "123456"), ("1" * 30, "123456"),
     ("{id}", ""), ("{id}", "12345"), ("{id}", "1234567"), ("{id}", "12345x")],
)  # fmt: skip
async def test_wrong_or_malformed_input_says_nothing(
    world: tuple[CaseService, PhoneStatus, Clock], code: str, pin: str
) -> None:
    cases, phone, _ = world
    case = await _register(cases)
    answer = await phone.check(CALLER, code.replace("{id}", case["phone_code"]), pin)
    assert (answer.result, answer.text) == ("wrong", "")


async def test_the_tenth_wrong_attempt_is_refused_then_released(
    world: tuple[CaseService, PhoneStatus, Clock],
) -> None:
    cases, phone, clock = world
    case = await _register(cases)
    code, pin = case["phone_code"], case["pin"]
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    results = [(await phone.check(CALLER, code, wrong)).result for _ in range(9)]
    assert results == ["wrong"] * 9
    assert (await phone.check(CALLER, code, pin)).result == "locked"  # even the right PIN
    # Per case: another caller may not guess on; per caller: nor may this one on another case.
    assert (await phone.check("48500100799", code, pin)).result == "locked"
    other = await _register(cases, "Inna sprawa")
    assert (await phone.check(CALLER, other["phone_code"], other["pin"])).result == "locked"
    clock.now += timedelta(hours=1, seconds=1)
    assert (await phone.check(CALLER, code, pin)).result == "ok"
    # A success clears the count.
    assert (await phone.check(CALLER, code, wrong)).result == "wrong"
    assert (await phone.check(CALLER, code, pin)).result == "ok"
