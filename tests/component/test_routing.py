"""RoutingService: closed, returning caller, first line, and a history store that misbehaves."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cic.asterisk.decisions import Decision, RouteRequest
from cic.config import OfficeSettings
from cic.routing.calendar import OfficeCalendar
from cic.routing.service import RoutingService

WAW = ZoneInfo("Europe/Warsaw")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=WAW)
ANNA = "PJSIP/agent-anna"
ODD_CALLER_IDS = [
    "O'Brien",
    "$(reboot)",
    "'; DROP TABLE calls;--",
    "<script>alert(1)</script>",
    "9" * 300,
    "",
    '"quoted" \\ back',
    "Zażółć gęślą jaźń",
]


class FakeHistory:
    def __init__(self, agents: dict[str, str] | None = None) -> None:
        self.agents = agents or {}
        self.calls: list[tuple[str, datetime]] = []
        self.delay = 0.0
        self.error: Exception | None = None

    async def last_agent(self, caller_number: str, since: datetime) -> str | None:
        self.calls.append((caller_number, since))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.agents.get(caller_number)


class FakePresence:
    def __init__(self, available: set[str] | None = None) -> None:
        self.available = available or set()
        self.error: Exception | None = None

    def is_available(self, interface: str) -> bool:
        if self.error is not None:
            raise self.error
        return interface in self.available


def make(
    at: datetime = MONDAY_10,
    history: FakeHistory | None = None,
    presence: FakePresence | None = None,
    **office_changes: object,
) -> tuple[RoutingService, FakeHistory, FakePresence]:
    office = OfficeSettings(**office_changes)  # type: ignore[arg-type]
    history = history or FakeHistory()
    presence = presence or FakePresence()
    service = RoutingService(office, OfficeCalendar(office), history, presence, lambda: at)
    return service, history, presence


def request(number: str = "+48600100200", name: str = "Jan Kowalski") -> RouteRequest:
    return RouteRequest("1764496800.1", number, name, "+48820000000", "PJSIP/trunk-00000001")


async def test_new_caller_goes_to_first_line() -> None:
    service, history, _ = make()
    decision = await service.decide(request())
    assert decision == Decision(
        "queue",
        "pierwsza-linia",
        "pierwsza-linia",
        0,
        "first_line",
        "Nowy rozmówca: kolejka pierwszej linii.",
    )
    assert history.calls == [("+48600100200", MONDAY_10 - timedelta(days=30))]


async def test_returning_caller_goes_to_available_agent() -> None:
    service, _, _ = make(history=FakeHistory({"+48600100200": ANNA}), presence=FakePresence({ANNA}))
    decision = await service.decide(request())
    assert decision.action == "agent"
    assert decision.target == ANNA
    assert decision.queue == "pierwsza-linia"
    assert decision.agent_wait == 15
    assert decision.reason == "returning_caller:PJSIP/agent-anna"
    assert "ostatnim konsultantem" in decision.reason_text


async def test_office_settings_drive_queue_wait_and_lookback() -> None:
    service, history, _ = make(
        history=FakeHistory({"+48600100200": ANNA}),
        presence=FakePresence({ANNA}),
        first_line_queue="info",
        last_agent_wait=25,
        last_agent_lookback_days=7,
    )
    decision = await service.decide(request())
    assert (decision.queue, decision.agent_wait) == ("info", 25)
    assert history.calls[0][1] == MONDAY_10 - timedelta(days=7)


async def test_returning_caller_with_busy_agent_goes_to_first_line() -> None:
    service, _, _ = make(history=FakeHistory({"+48600100200": ANNA}))
    decision = await service.decide(request())
    assert (decision.action, decision.target) == ("queue", "pierwsza-linia")
    assert decision.reason == "agent_unavailable:PJSIP/agent-anna"


async def test_presence_error_means_first_line(caplog: pytest.LogCaptureFixture) -> None:
    presence = FakePresence({ANNA})
    presence.error = RuntimeError("presence down")
    service, _, _ = make(history=FakeHistory({"+48600100200": ANNA}), presence=presence)
    decision = await service.decide(request())
    assert decision.action == "queue"
    assert "presence check failed" in caplog.text


async def test_history_error_means_first_line(caplog: pytest.LogCaptureFixture) -> None:
    history = FakeHistory({"+48600100200": ANNA})
    history.error = ConnectionError("database gone")
    service, _, _ = make(history=history, presence=FakePresence({ANNA}))
    decision = await service.decide(request())
    assert (decision.action, decision.reason) == ("queue", "history_unavailable")
    assert decision.target == "pierwsza-linia"
    assert "1764496800.1" in caplog.text and "database gone" in caplog.text
    assert "+48600100200" not in caplog.text  # caller numbers are personal data


async def test_slow_history_means_first_line() -> None:
    history = FakeHistory({"+48600100200": ANNA})
    history.delay = 5.0
    service, _, _ = make(history=history, presence=FakePresence({ANNA}))
    decision = await service.decide(request())
    assert (decision.action, decision.reason) == ("queue", "history_unavailable")


@pytest.mark.parametrize("number", ["", "   ", "anonymous", "Anonymous", "unknown", "Restricted"])
async def test_missing_or_withheld_number_skips_history(number: str) -> None:
    service, history, _ = make(history=FakeHistory({number: ANNA}), presence=FakePresence({ANNA}))
    decision = await service.decide(request(number=number))
    assert (decision.action, decision.reason) == ("queue", "first_line")
    assert history.calls == []


async def test_holiday_closes_before_anything_else() -> None:
    service, history, _ = make(
        at=datetime(2026, 12, 24, 10, 0, tzinfo=WAW),
        history=FakeHistory({"+48600100200": ANNA}),
        presence=FakePresence({ANNA}),
    )
    decision = await service.decide(request())
    assert (decision.action, decision.target) == ("closed", "")
    assert decision.reason == "closed_holiday:Wigilia Bożego Narodzenia"
    assert decision.queue == "pierwsza-linia"
    assert decision.reason_text == (
        "Urząd nieczynny: Wigilia Bożego Narodzenia. Otwarcie: poniedziałek 28.12.2026, 08:00."
    )
    assert history.calls == []


async def test_after_hours() -> None:
    service, _, _ = make(at=datetime(2026, 11, 30, 16, 0, tzinfo=WAW))
    decision = await service.decide(request())
    assert (decision.action, decision.reason) == ("closed", "closed_hours")
    assert decision.reason_text == (
        "Urząd nieczynny: poza godzinami pracy. Otwarcie: wtorek 01.12.2026, 07:30."
    )


async def test_closed_day() -> None:
    service, _, _ = make(closed_days=["2026-11-30"])
    decision = await service.decide(request())
    assert (decision.action, decision.reason) == ("closed", "closed_day")
    assert "dzień wolny" in decision.reason_text


async def test_reason_detail_has_no_commas_but_target_is_verbatim() -> None:
    odd = "PJSIP/agent-a,b\nc"
    service, _, _ = make(history=FakeHistory({"+48600100200": odd}), presence=FakePresence({odd}))
    decision = await service.decide(request())
    assert decision.target == odd
    assert decision.reason == "returning_caller:PJSIP/agent-a b c"


async def test_route_is_decide() -> None:
    service, _, _ = make()
    assert await service.route(request()) == await service.decide(request())


@pytest.mark.parametrize("odd", ODD_CALLER_IDS)
async def test_odd_caller_ids_route_normally(odd: str) -> None:
    service, history, _ = make()
    decision = await service.decide(request(number=odd, name=odd))
    assert (decision.action, decision.target) == ("queue", "pierwsza-linia")
    assert history.calls == ([(odd, MONDAY_10 - timedelta(days=30))] if odd else [])


@pytest.mark.parametrize("odd", [o for o in ODD_CALLER_IDS if o])
async def test_odd_caller_numbers_reach_history_verbatim(odd: str) -> None:
    service, _, _ = make(history=FakeHistory({odd: ANNA}), presence=FakePresence({ANNA}))
    decision = await service.decide(request(number=odd, name=odd))
    assert (decision.action, decision.target) == ("agent", ANNA)
