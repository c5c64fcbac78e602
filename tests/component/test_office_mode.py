"""The opening-mode switch: on duty when the calendar says closed, closed at short notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cic.asterisk.decisions import RouteRequest
from cic.bus import InProcessBus
from cic.config import OfficeSettings
from cic.db import Store
from cic.routing.calendar import OfficeCalendar
from cic.routing.mode import InvalidMode, OfficeModeSwitch
from cic.routing.service import RoutingService

SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
REQ = RouteRequest("c1", "48500100200", "Jan Testowy", "1000", "PJSIP/residents-00000001")


class NoHistory:
    async def last_agent(self, caller_number: str, since: datetime) -> str | None:
        return None


class NobodyFree:
    def is_available(self, interface: str) -> bool:
        return False


def router(at: datetime, mode: str) -> RoutingService:
    office = OfficeSettings()
    return RoutingService(
        office, OfficeCalendar(office), NoHistory(), NobodyFree(), lambda: at, mode=lambda: mode
    )


@pytest.mark.parametrize(
    ("at", "mode", "action", "reason"),
    [
        (SATURDAY, "auto", "closed", "closed_hours"),
        (SATURDAY, "open", "queue", "first_line"),
        (TUESDAY, "auto", "queue", "first_line"),
        (TUESDAY, "closed", "closed", "closed_override"),
    ],
)
async def test_mode_overrides_the_calendar(
    at: datetime, mode: str, action: str, reason: str
) -> None:
    decision = await router(at, mode).decide(REQ)
    assert (decision.action, decision.reason) == (action, reason)


async def test_switch_is_saved_and_announced(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    bus = InProcessBus()
    switch = OfficeModeSwitch(store, bus)
    async with bus.subscribe("office") as sub:
        await switch.set("open", "kierownik")
        topic, message = await anext(aiter(sub))
    assert topic == "office" and message["mode"] == "open"
    again = OfficeModeSwitch(store, bus)
    await again.load()
    assert again() == "open" and again.changed_by == "kierownik"
    with pytest.raises(InvalidMode):
        await switch.set("maybe", "x")
    assert switch() == "open"
