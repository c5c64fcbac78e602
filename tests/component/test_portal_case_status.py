"""Case status on the portal through a real server over SQLite and PostgreSQL, with the SAME
``StatusChecks`` object the phone uses: the right PIN shows status, department, deadline and
the next step, and nothing else; a wrong PIN and an unknown signature get the same page; wrong
attempts by phone and on the web add up to one lock; each address is throttled on its own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cic.cases.phone import PhoneStatus, spoken_date
from cic.cases.service import Actor, CaseService
from cic.cases.status import StatusChecks
from cic.config import Settings
from cic.db import Store
from cic.departments.models import Department
from cic.portal.plugin import CaseStatusDeps, install_case_status
from tests.component.portal_world import PortalWorld, portal_client

TODAY = date(2026, 12, 3)
OFFICIAL = Actor("ewa.urzednik", "specialist")
CALLER = "48500100701"
PATH = "/e-urzad/sprawa"
_TOKEN = re.compile(r'name="form_token" value="[^"]*"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    web: PortalWorld
    cases: CaseService
    checks: StatusChecks
    phone: PhoneStatus
    clock: Clock

    async def register(self, title: str = "Podatek — Jan Testowy, ul. Polna 3") -> dict[str, Any]:
        body = {"unit": "FN", "jrwa": "3110", "title": title,
                "parties": [{"name": "Jan Testowy", "role": "strona"}]}  # fmt: skip
        return await self.cases.register(body, OFFICIAL)

    async def look_up(self, signature: str, pin: str, ip: str = "203.0.113.7") -> tuple[int, str]:
        token = await self.web.token(PATH)
        answer = await self.web.post(PATH, {"form_token": token, "znak": signature, "pin": pin}, ip)
        assert "Location" not in answer.headers  # rendered at once: nothing in a URL
        return answer.status, await answer.text()


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


async def _world(db_url: str, lookups_per_hour: int = 30) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    store.run_sync(lambda s: s.add(Department(code="FN", name="Referat Finansowy")))
    clock = Clock()
    checks = StatusChecks(store, clock)
    settings = Settings()
    settings.portal.lookups_per_hour = lookups_per_hour
    add = lambda app, portal: install_case_status(app, CaseStatusDeps(checks, portal))  # noqa: E731
    async with portal_client(store, settings, add) as web:
        yield World(web, CaseService(store, today=lambda: TODAY), checks, PhoneStatus(checks),
                    clock)  # fmt: skip
    await store.close()


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    async for w in _world(db_url):
        yield w


async def test_the_form_posts_and_keeps_nothing_in_the_url(world: World) -> None:
    status, html = await world.web.get(PATH)
    assert status == 200
    assert '<form method="post" action="/e-urzad/sprawa"' in html
    assert '<label for="pole-znak">' in html and '<label for="pole-pin">' in html
    assert 'aria-current="page">Stan sprawy' in html


async def test_the_right_pin_shows_status_department_deadline_and_next_step(
    world: World,
) -> None:
    case = await world.register()
    status, html = await world.look_up(case["signature"].lower(), case["pin"])
    assert status == 200, html
    assert f"Sprawa {case['signature']}" in html
    assert '<dd id="stan">wszczęta</dd>' in html
    assert '<dd id="prowadzi">Referat Finansowy</dd>' in html
    deadline = spoken_date(date.fromisoformat(case["deadline"]))
    assert f'<dd id="termin">{deadline}</dd>' in html
    assert "czeka na rozpatrzenie" in html
    for private in ("Jan", "Testowy", "Polna", "Podatek", case["pin"], "ewa.urzednik"):
        assert private not in html, private


async def test_a_wrong_pin_and_an_unknown_signature_get_the_same_page(world: World) -> None:
    case = await world.register()
    signature = case["signature"]  # FN.3110.1.2026
    unknown = signature.replace(".1.", ".7.")
    assert len(unknown) == len(signature)
    wrong = await world.look_up(signature, _wrong(case["pin"]))
    missing = await world.look_up(unknown, case["pin"])
    malformed_pin_shape = await world.look_up(unknown, "12345")

    def page(answer: tuple[int, str], typed: str) -> tuple[int, str]:
        return answer[0], _TOKEN.sub("", answer[1]).replace(typed, "ZNAK")

    assert page(wrong, signature) == page(missing, unknown)
    assert wrong[0] == 400 and "Nie znaleźliśmy sprawy o tym znaku z tym PIN-em" in wrong[1]
    assert 'aria-invalid="true"' in wrong[1] and 'href="#pole-znak"' in wrong[1]
    assert "wszczęta" not in wrong[1] and "Referat Finansowy" not in wrong[1]
    assert malformed_pin_shape[0] == 400 and "PIN to 6 cyfr" in malformed_pin_shape[1]
    assert world.checks.throttle.failures(f"case:{case['phone_code']}") == 1
    assert world.checks.throttle.failures(f"case:sig:{unknown.casefold()}") == 1
    assert world.checks.throttle.failures("ip:203.0.113.7") == 2  # the shape error is not a try


async def test_a_form_without_its_token_is_refused(world: World) -> None:
    case = await world.register()
    answer = await world.web.post(PATH, {"znak": case["signature"], "pin": case["pin"]})
    assert answer.status == 400
    body = await answer.text()
    assert "Formularz wygasł" in body and "wszczęta" not in body
    assert f'value="{case["signature"]}"' in body  # what was typed stays


async def test_five_wrong_by_phone_and_five_on_the_web_lock_both(world: World) -> None:
    case = await world.register()
    code, pin, signature = case["phone_code"], case["pin"], case["signature"]
    for _ in range(5):
        assert (await world.phone.check(CALLER, code, _wrong(pin))).result == "wrong"
    for _ in range(4):
        assert (await world.look_up(signature, _wrong(pin)))[0] == 400
    status, html = await world.look_up(signature, _wrong(pin))  # the tenth attempt
    assert status == 429 and "Zbyt wiele nieudanych prób" in html
    # The right PIN is refused on both, from another number and another address too.
    assert (await world.phone.check("48500100799", code, pin)).result == "locked"
    status, html = await world.look_up(signature, pin, ip="198.51.100.20")
    assert status == 429 and "wszczęta" not in html
    world.clock.now += timedelta(hours=1, seconds=1)
    assert (await world.look_up(signature, pin, ip="198.51.100.20"))[0] == 200
    assert (await world.phone.check(CALLER, code, pin)).result == "ok"


async def test_five_wrong_on_the_web_and_five_by_phone_lock_both(world: World) -> None:
    case = await world.register()
    code, pin, signature = case["phone_code"], case["pin"], case["signature"]
    for _ in range(5):
        assert (await world.look_up(signature, _wrong(pin)))[0] == 400
    results = [(await world.phone.check(CALLER, code, _wrong(pin))).result for _ in range(5)]
    assert results == ["wrong"] * 4 + ["locked"]
    assert (await world.phone.check("48500100799", code, pin)).result == "locked"
    assert (await world.look_up(signature, pin, ip="198.51.100.20"))[0] == 429


async def test_an_address_with_nine_wrong_tries_is_locked_and_others_are_not(
    world: World,
) -> None:
    case = await world.register()
    for n in range(9):  # guesses at signatures no case has
        assert (await world.look_up(f"FN.3110.{100 + n}.2026", "123456"))[0] == 400
    status, html = await world.look_up(case["signature"], case["pin"])
    assert status == 429 and "Zbyt wiele nieudanych prób" in html
    status, html = await world.look_up(case["signature"], case["pin"], ip="198.51.100.20")
    assert status == 200 and "wszczęta" in html


async def test_lookups_per_address_are_limited_per_hour(db_url: str) -> None:
    async for world in _world(db_url, lookups_per_hour=3):
        case = await world.register()
        for _ in range(3):
            assert (await world.look_up(case["signature"], case["pin"]))[0] == 200
        token = await world.web.token(PATH)
        answer = await world.web.post(
            PATH, {"form_token": token, "znak": case["signature"], "pin": case["pin"]}
        )
        assert answer.status == 429 and int(answer.headers["Retry-After"]) > 0
        assert "Zbyt wiele sprawdzeń z tego adresu" in await answer.text()
        assert (await world.look_up(case["signature"], case["pin"], ip="198.51.100.20"))[0] == 200
