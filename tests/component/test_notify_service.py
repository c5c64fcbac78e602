"""The notification store on SQLite and PostgreSQL: a batch queued once whatever is sent again,
addresses checked per channel, due deliveries claimed once, busy and unanswered calls tried
again until the attempts run out, confirmations, cancels, recovery after a crash, and the
summary a supervisor reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cic.bus import InProcessBus
from cic.db import Store
from cic.notify.errors import NotifyError, UnknownDelivery
from cic.notify.service import TOPIC, NotifyService, Outgoing, Recipient

MESSAGE = Outgoing("Ostrzeżenie: silny wiatr w sołectwie Dębówka.", "Ostrzeżenie", confirm=True)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[tuple[NotifyService, Clock, InProcessBus]]:
    store = Store(db_url)
    store.migrate()
    clock, bus = Clock(), InProcessBus()
    yield NotifyService(store, bus, retry_seconds=60, now=clock), clock, bus
    await bus.close()
    await store.close()


def people(*items: tuple[str, str]) -> list[Recipient]:
    return [Recipient(channel, address, f"subscriber:{i}") for i, (channel, address) in
            enumerate(items)]  # fmt: skip


async def test_a_batch_is_queued_once_with_bad_addresses_skipped(world: Any) -> None:
    notify, _, _ = world
    sent = await notify.send("warning:1", MESSAGE, people(
        ("voice", "+48 500 100 201"), ("voice", "500100201"), ("sms", "0500 100 202"),
        ("email", "Jan@Example.PL"), ("sms", "'; DROP TABLE x; --"), ("fax", "500100203"),
        ("voice", "700 100 200"),
    ))  # fmt: skip
    assert sent["queued"] == 3  # the same number twice is one call
    assert [s["reason"] for s in sent["skipped"]] == [
        "niepoprawny numer lub adres", "nieznany kanał", "niepoprawny numer lub adres",
    ]  # fmt: skip
    again = await notify.send("warning:1", MESSAGE, people(("voice", "500100201"),
                                                           ("sms", "500100204")))  # fmt: skip
    assert again["queued"] == 1
    rows = await notify.deliveries("warning:1")
    assert [(r["channel"], r["address"], r["status"]) for r in rows] == [
        ("voice", "500100201", "queued"), ("sms", "500100202", "queued"),
        ("email", "jan@example.pl", "queued"), ("sms", "500100204", "queued"),
    ]  # fmt: skip
    assert rows[0]["status_label"] == "w kolejce"


async def test_bad_batches_and_texts_are_refused(world: Any) -> None:
    notify, _, _ = world
    for batch in ("", "warning", ":1", "x" * 70 + ":1", "ostrzeżenie:1"):
        with pytest.raises(NotifyError):
            await notify.send(batch, MESSAGE, [])
    with pytest.raises(NotifyError):
        await notify.send("warning:2", Outgoing("   "), [])
    with pytest.raises(NotifyError):
        await notify.finish(1, "exploded")
    with pytest.raises(UnknownDelivery):
        await notify.finish(424242, "delivered")


async def test_claims_retries_and_the_summary(world: Any) -> None:
    notify, clock, bus = world
    await notify.send("warning:3", MESSAGE, people(
        ("voice", "500100211"), ("voice", "500100212"), ("voice", "500100213"),
        ("sms", "500100214"),
    ))  # fmt: skip
    async with bus.subscribe(TOPIC) as events:
        first = await notify.claim("voice", 2)
        assert [(c.address, c.attempt) for c in first] == [("500100211", 1), ("500100212", 1)]
        assert first[0].message == MESSAGE
        assert [c.address for c in await notify.claim("voice", 5)] == ["500100213"]
        assert await notify.claim("voice", 5) == []  # nothing is handed out twice
        await notify.finish(first[0].id, "confirmed", "wciśnięto 1")
        busy = await notify.finish(first[1].id, "busy")
        assert busy["status"] == "queued"  # tried again later
        topic, event = await anext(aiter(events))
        assert (
            topic == TOPIC and event["type"] == "notify.delivery" and event["status"] == "confirmed"
        )
    assert await notify.claim("voice", 5) == []  # not before the retry interval
    clock.at += timedelta(seconds=61)
    retry = await notify.claim("voice", 5)
    assert [(c.address, c.attempt) for c in retry] == [("500100212", 2)]
    await notify.finish(retry[0].id, "no_answer")
    clock.at += timedelta(seconds=61)
    third = await notify.claim("voice", 5)
    assert third[0].attempt == 3
    final = await notify.finish(third[0].id, "no_answer")
    assert final["status"] == "no_answer" and final["attempts"] == 3  # attempts used up
    summary = await notify.summary("warning:3")
    assert summary["channels"] == {
        "voice": {"confirmed": 1, "no_answer": 1, "sending": 1}, "sms": {"queued": 1},
    }  # fmt: skip
    assert (summary["total"], summary["reached"], summary["finished"]) == (4, 1, False)


async def test_confirm_cancel_and_recover(world: Any) -> None:
    notify, _, _ = world
    await notify.send("dispatch:4", MESSAGE, people(
        ("sms", "500100221"), ("email", "soltys@example.pl"), ("voice", "500100222"),
    ))  # fmt: skip
    (sms,) = await notify.claim("sms", 5)
    await notify.finish(sms.id, "delivered", "id bramki 123")
    confirmed = await notify.confirm(sms.id)
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_at"]
    late = await notify.finish(sms.id, "failed")  # a late report changes nothing final
    assert late["status"] == "confirmed"
    (call,) = await notify.claim("voice", 5)
    assert await notify.recover("voice") == 1  # the process stopped mid-call
    assert (await notify.get(call.id))["status"] == "queued"
    assert await notify.cancel("dispatch:4") == 2
    summary = await notify.summary("dispatch:4")
    assert summary["finished"] and summary["reached"] == 1
    assert await notify.claim("email", 5) == []
