"""The nearest available responder is chosen and notified, on SQLite and PostgreSQL: with
responders at known distances, some off duty or busy, the right one is proposed; sending
queues a delivery per channel in the notification store; a confirmation (the test plays the
sender) makes the dispatch ``potwierdzone`` through the bus; deliveries that all end without
one make it ``brak_odpowiedzi``; bad input gets a clear Polish error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cic.addresses import importer, prg
from cic.addresses.service import AddressBook
from cic.auth.actor import Actor
from cic.bus import InProcessBus
from cic.db import Store
from cic.notify.service import NotifyService
from cic.responders.dispatch import CallOut, DispatchService, batch_of
from cic.responders.errors import (
    InvalidResponder,
    NotAllowed,
    NotAvailable,
    OutsideArea,
    UnknownDispatch,
)  # fmt: skip
from cic.responders.handlers import watch_acknowledgements
from cic.responders.service import Area, ResponderInput, ResponderService

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "addresses" / "gmina_debowka.csv"
INCIDENT = (52.4015, 20.902)  # Lipowa 5, Dębówka
ADMIN, DYZURNY = Actor("kierownik", "supervisor"), Actor("dyzurny", "specialist")
AGENT = Actor("konsultant", "agent")
ABOUT = CallOut("Powalone drzewo", "Lipowa 5, Dębówka", "Drzewo blokuje jezdnię.")
# Sunday 6 December 2026, 13:00 in Warsaw
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
ALL_WEEK = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class World:
    responders: ResponderService
    dispatches: DispatchService
    notify: NotifyService
    bus: InProcessBus
    ids: dict[str, int]


async def add(world_responders: ResponderService, **fields: Any) -> int:
    given = ResponderInput(**{"kind": "soltys", "phone": "500 100 201", **fields})
    return await world_responders.save(ADMIN, given)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    importer.load(store, prg.parse(SAMPLE.read_bytes(), max_bytes=10**7, max_rows=1000))
    bus = InProcessBus()
    notify = NotifyService(store, bus)
    responders = ResponderService(store, AddressBook(store), Area(((52.2, 20.6), (52.6, 21.2))),
                                  now=lambda: NOW)  # fmt: skip
    dispatches = DispatchService(store, notify, responders, now=lambda: NOW)
    ids = {
        # about 0.4 km away, but busy
        "busy": await add(responders, name="Sołtys Dębówki", address="Polna 3, Dębówka",
                          availability="zajety", weekly=ALL_WEEK),
        # about 1 km away, on duty only on weekdays (today is Sunday)
        "weekday": await add(responders, kind="drogowcy", name="Brygada drogowa",
                             lat=52.41, lon=20.91, phone="500100202",
                             weekly={"mon": ["07:00-15:00"]}),
        # about 4.6 km away, 24/7, SMS, e-mail and a call
        "osp": await add(responders, kind="osp", name="OSP Zielona Łąka",
                         address="Zielona Łąka 1", always_on=True, phone="500100203",
                         email="osp.zielona@example.pl", channels=["sms", "email", "voice"]),
        # about 7.6 km away, on duty all week
        "far": await add(responders, kind="soltys", name="Sołtys Starego Boru",
                         lat=52.45, lon=20.98, phone="500100204", weekly=ALL_WEEK),
        # as near as the OSP (the same point), on leave today
        "leave": await add(responders, kind="soltys", name="Sołtys Zielonej Łąki",
                           address="Zielona Łąka 1", phone="500100205", weekly=ALL_WEEK,
                           exceptions=[{"kind": "wolne", "start": "2026-12-05T00:00",
                                        "end": "2026-12-07T00:00", "note": "urlop"}]),
    }  # fmt: skip
    yield World(responders, dispatches, notify, bus, ids)
    await bus.close()
    await store.close()


async def test_the_nearest_available_is_proposed_sent_notified_and_confirmed(world: World) -> None:
    proposed = await world.responders.propose(AGENT, *INCIDENT, [])
    assert [p["name"] for p in proposed] == ["OSP Zielona Łąka", "Sołtys Starego Boru"]
    assert proposed[0]["km"] == pytest.approx(4.6, abs=0.2)
    assert proposed[0]["km"] < proposed[1]["km"]
    assert "phone" not in proposed[0]  # an agent sees no contact details
    only = await world.responders.propose(AGENT, *INCIDENT, ["soltys"])
    assert [p["name"] for p in only] == ["Sołtys Starego Boru"]

    with pytest.raises(NotAllowed):  # agents propose, the officials on duty send
        await world.dispatches.send(AGENT, 17, world.ids["osp"], "", ABOUT)
    with pytest.raises(NotAvailable):
        await world.dispatches.send(DYZURNY, 17, world.ids["busy"], "", ABOUT)

    task = asyncio.create_task(watch_acknowledgements(world.bus, world.dispatches))
    await asyncio.sleep(0.05)  # subscribed
    sent = await world.dispatches.send(
        DYZURNY, 17, proposed[0]["id"], "Jedźcie od strony szkoły", ABOUT
    )
    assert sent["status"] == "wyslane" and sent["responder"] == "OSP Zielona Łąka"
    assert sent["text"].startswith(
        "Wezwanie z urzędu gminy: Powalone drzewo. Miejsce: Lipowa 5, Dębówka."
    )
    assert "Jedźcie" not in sent["text"]  # the dispatcher's note stays in the office
    deliveries = await world.notify.deliveries(batch_of(sent["id"]))
    assert [(d["channel"], d["address"], d["recipient"]) for d in deliveries] == [
        ("sms", "500100203", f"responder:{world.ids['osp']}"),
        ("email", "osp.zielona@example.pl", f"responder:{world.ids['osp']}"),
        ("voice", "500100203", f"responder:{world.ids['osp']}"),
    ]  # fmt: skip

    # the test plays the senders: the SMS goes out, the call is answered and 1 pressed
    sms = await world.notify.claim("sms", 10)
    await world.notify.finish(sms[0].id, "delivered")
    call = await world.notify.claim("voice", 10)
    assert call[0].message.confirm is True
    await world.notify.finish(call[0].id, "confirmed", "wciśnięto 1")
    for _ in range(100):
        seen = await world.dispatches.get(DYZURNY, sent["id"])
        if seen["status"] != "wyslane":
            break
        await asyncio.sleep(0.02)
    task.cancel()
    assert seen["status"] == "potwierdzone" and seen["answered_at"]
    assert [h["status"] for h in seen["history"]] == ["wyslane", "potwierdzone"]
    assert seen["history"][1]["detail"] == "potwierdzone: połączenie głosowe"
    on_incident = await world.dispatches.for_incident(AGENT, 17)
    assert [d["id"] for d in on_incident] == [sent["id"]]
    # now busy: the next proposal is the next one
    again = await world.responders.propose(AGENT, *INCIDENT, [])
    assert [p["name"] for p in again] == ["Sołtys Starego Boru"]


async def test_a_refusal_by_phone_is_recorded_and_the_rest_cancelled(world: World) -> None:
    sent = await world.dispatches.send(DYZURNY, 18, world.ids["far"], "", ABOUT)
    call = await world.notify.claim("voice", 10)
    assert [c.address for c in call] == ["500100204"]  # the call is being placed
    sms = await world.notify.claim("sms", 10)
    await world.notify.finish(sms[0].id, "failed", "bramka: błąd")
    assert await world.dispatches.acknowledge(sent["id"]) is None  # the call is still pending
    refused = await world.dispatches.set_status(DYZURNY, sent["id"], "odmowa", "oddzwonił: chory")
    assert refused["status"] == "odmowa"
    assert [h["by"] for h in refused["history"]] == ["dyzurny", "dyzurny"]
    assert [d["status"] for d in refused["deliveries"]] == ["failed", "sending"]
    await world.notify.finish(call[0].id, "confirmed")  # a late press of 1 changes nothing
    assert await world.dispatches.acknowledge(sent["id"]) is None
    assert (await world.dispatches.get(AGENT, sent["id"]))["status"] == "odmowa"


async def test_all_deliveries_ended_without_confirmation_is_no_answer(world: World) -> None:
    sent = await world.dispatches.send(ADMIN, 19, world.ids["osp"], "", ABOUT)
    (sms,) = await world.notify.claim("sms", 10)
    await world.notify.finish(sms.id, "delivered")
    (mail,) = await world.notify.claim("email", 10)
    await world.notify.finish(mail.id, "failed", "skrzynka nie istnieje")
    await world.notify.cancel(batch_of(sent["id"]))  # the call is not placed
    # the SMS arrived: its link may still be opened, so nobody is told to send the next one
    assert await world.dispatches.acknowledge(sent["id"]) is None
    await world.dispatches.set_status(DYZURNY, sent["id"], "brak_odpowiedzi", "nie oddzwonił")
    seen = await world.dispatches.get(AGENT, sent["id"])
    assert seen["status_label"] == "brak odpowiedzi"
    await world.notify.confirm(sms.id)  # opened the link after all
    assert await world.dispatches.acknowledge(sent["id"]) == "potwierdzone"

    await world.responders.mark(world.ids["osp"], "dostepny")  # back from the first one
    other = await world.dispatches.send(ADMIN, 21, world.ids["osp"], "", ABOUT)
    for channel in ("sms", "email", "voice"):
        for item in await world.notify.claim(channel, 10):
            await world.notify.finish(item.id, "failed" if channel != "voice" else "answered")
    assert await world.dispatches.acknowledge(other["id"]) == "brak_odpowiedzi"


async def test_the_call_out_says_what_and_where_on_every_channel(world: World) -> None:
    sent = await world.dispatches.send(DYZURNY, 20, world.ids["osp"], "", ABOUT)
    # one text for SMS, e-mail and the call: how to confirm is each sender's (a link, press 1)
    assert "http" not in sent["text"] and "naciśnij" not in sent["text"]
    assert sent["text"].startswith(f"Wezwanie z urzędu gminy: {ABOUT.category}.")
    sms = (await world.notify.deliveries(batch_of(sent["id"]), "sms"))[0]
    await world.notify.confirm(sms["id"])  # the SMS's confirmation link
    assert await world.dispatches.acknowledge(sent["id"]) == "potwierdzone"


async def test_bad_input_gets_clear_errors(world: World) -> None:
    with pytest.raises(OutsideArea, match="poza obszarem gminy"):
        await world.responders.propose(AGENT, 50.06, 19.94, [])  # Kraków
    with pytest.raises(InvalidResponder, match="nieznany rodzaj"):
        await world.responders.propose(AGENT, *INCIDENT, ["'; DROP TABLE responders; --"])
    with pytest.raises(InvalidResponder) as unknown:
        await add(world.responders, name="Ktoś", address="Nieistniejąca 5, Dębówka")
    assert "nie znaleziono adresu" in unknown.value.fields["address"]
    with pytest.raises(InvalidResponder) as bad:
        await add(world.responders, name="x" * 300, phone="12", email="nie-email",
                  kind="czarodziej", channels=["fax"], weekly={"mon": ["25:00-26:00"]})  # fmt: skip
    assert set(bad.value.fields) == {
        "name",
        "phone",
        "email",
        "kind",
        "channels",
        "calendar",
        "address",
    }
    with pytest.raises(OutsideArea):
        await add(world.responders, name="Daleko", lat=54.35, lon=18.65)
    with pytest.raises(NotAllowed):
        await world.responders.save(DYZURNY, ResponderInput("osp", "OSP", 52.4, 20.9))
    with pytest.raises(InvalidResponder) as empty:
        await world.dispatches.send(DYZURNY, 21, world.ids["osp"], "", CallOut("", "", ""))
    assert set(empty.value.fields) == {"category", "address"}
    with pytest.raises(InvalidResponder):
        await world.dispatches.set_status(DYZURNY, 1, "wyslane")


async def test_the_call_out_takes_the_incidents_facts_when_they_are_wired(world: World) -> None:
    async def facts(incident_id: int) -> CallOut | None:
        return (
            CallOut("Zalana piwnica", "Polna 3, Dębówka", "Woda po kostki.")
            if incident_id == 30
            else None
        )

    wired = DispatchService(world.dispatches.store, world.notify, world.responders,
                            incidents=facts, now=lambda: NOW)  # fmt: skip
    sent = await wired.send(DYZURNY, 30, world.ids["osp"], "", CallOut("", "", ""))
    assert sent["text"] == (
        "Wezwanie z urzędu gminy: Zalana piwnica. Miejsce: Polna 3, Dębówka. Woda po kostki."
    )
    with pytest.raises(UnknownDispatch, match="Nie ma takiego zgłoszenia"):
        await wired.send(DYZURNY, 31, world.ids["osp"], "", ABOUT)
