"""Wrap-ups on SQLite and PostgreSQL: outcome from the list, text kept exactly, one per agent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from cic.bus import InProcessBus
from cic.calls.errors import CallNotFound, InvalidQuery
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService
from cic.db import Store
from cic.events import CallAnswered, CallEntered

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OUTCOMES = ["sprawa załatwiona", "oddzwonić"]
ODD = "Pan pyta o <b>podatek</b> & „opłatę” 😀 " + "ż" * 300


@pytest.fixture
async def wrapups(db_url: str) -> AsyncIterator[WrapupService]:
    store = Store(db_url)
    store.migrate()
    bus = InProcessBus()
    calls = CallService(store, bus)
    await calls.apply(CallEntered(T0, "c1", "PJSIP/residents-1", "48500100200", "", "1000"))
    await calls.apply(CallAnswered(T0, "c1", "pierwsza-linia", "PJSIP/agent-anna", 3.0))
    yield WrapupService(store, bus, OUTCOMES)
    await bus.close()
    await store.close()


async def test_saved_verbatim_and_replaced_on_second_save(wrapups: WrapupService) -> None:
    bus = wrapups.bus
    async with bus.subscribe("call") as sub:
        saved = await wrapups.save("c1", "PJSIP/agent-anna", "oddzwonić", "podatki", ODD, "anna")
        _topic, message = await anext(aiter(sub))
    assert message["type"] == "CallWrappedUp" and message["call_id"] == "c1"
    assert saved["note"] == ODD and saved["outcome"] == "oddzwonić"
    await wrapups.save("c1", "PJSIP/agent-anna", "sprawa załatwiona", "podatki", "ok", "anna")
    [only] = await wrapups.for_call("c1")
    assert (only["outcome"], only["note"], only["saved_by"]) == ("sprawa załatwiona", "ok", "anna")


async def test_bad_wrapups_are_refused(wrapups: WrapupService) -> None:
    with pytest.raises(InvalidQuery):
        await wrapups.save("c1", "PJSIP/agent-anna", "wymyślony wynik", "", "", "anna")
    with pytest.raises(InvalidQuery):
        await wrapups.save("c1", "PJSIP/agent-anna", "oddzwonić", "t" * 201, "", "anna")
    with pytest.raises(InvalidQuery):
        await wrapups.save("c1", "PJSIP/agent-anna", "oddzwonić", "", "n" * 4001, "anna")
    with pytest.raises(CallNotFound):
        await wrapups.save("nie-ma", "PJSIP/agent-anna", "oddzwonić", "", "", "anna")
    assert await wrapups.for_call("c1") == []
