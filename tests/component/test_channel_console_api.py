"""What the console's message panel and the wallboard's e-mail tile ask of the API, through a
real aiohttp server on SQLite: a report's messages come with its resident's open cases, the
agent who took the e-mail joins it to one of them, and a supervisor's "Wyślij ponownie"
queues the failed answer again and tells the wallboard at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.orm import Session

from cic.bus import InProcessBus
from cic.calls.models import Call
from cic.cases import views as case_views
from cic.cases.models import ContactReport
from cic.cases.service import Actor, CaseService
from cic.channels import outbox, views
from cic.channels.files import ChannelFiles
from cic.channels.models import ChannelMessage
from cic.channels.outbox import OutboxSender, SenderIdentity
from cic.channels.service import ChannelService
from cic.db import Store, utcnow
from cic.mail.settings import SmtpAccount
from cic.mail.smtp import SmtpSender
from cic.residents.models import Resident, ResidentNumber
from cic.web.errors import error_middleware
from tests.component.test_cases_views import AGENT_DEVICE, Client, agent_device, as_, fake_auth

TODAY = date(2026, 12, 3)
OFFICIAL = Actor("ewa.urzednik", "specialist")
RESIDENT_ADDRESS = "jan.testowy@mieszkaniec.test"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Client, Store, InProcessBus]]:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    bus = InProcessBus()
    service = ChannelService(store, bus, ChannelFiles(tmp_path / "channels"), lambda: TODAY,
                             domain="gmina.test", can_send=True)  # fmt: skip
    # No mail server is reached here: retry only queues the message again (the sending loop
    # does not run).
    smtp = SmtpSender(SmtpAccount(host="127.0.0.1", port=9, tls="none"))
    sender = OutboxSender(store, smtp, SenderIdentity("kontakt@gmina.test", "Urząd"))
    app = web.Application(middlewares=[error_middleware(), fake_auth])
    app.add_routes(views.routes(service, sender, agent_device))
    app.add_routes(case_views.routes(CaseService(store, today=lambda: TODAY), agent_device))
    async with TestClient(TestServer(app)) as client:
        yield client, store, bus
    await bus.close()
    await store.close()


def _seed(session: Session) -> tuple[int, int]:
    """Jan (a number, an earlier call), his e-mail taken by the test agent, and an answer to
    it the outbox gave up on: (report id, failed message id)."""
    jan = Resident(name="Jan Testowy")
    session.add(jan)
    session.flush()
    session.add(ResidentNumber(resident_id=jan.id, number="+48600100200"))
    session.add(Call(call_id="c-jan", caller_number="48600100200", outcome="answered",
                     agent=AGENT_DEVICE))  # fmt: skip
    report = ContactReport(
        topic="Raty podatku", note="", department="", status="w_toku", owner="u-agent",
        created_by="email", channel="email", contact=RESIDENT_ADDRESS, resident_id=jan.id,
        waiting_since=utcnow(), reply_due=TODAY,
    )  # fmt: skip
    session.add(report)
    session.flush()
    letter = outbox.Letter(to=RESIDENT_ADDRESS, subject="Odp. [ZGL-1]", text="Treść.",
                           purpose="odpowiedz")  # fmt: skip
    failed = outbox.queue(session, report.id, letter, author="u-agent", domain="gmina.test")
    failed.send_state, failed.attempts, failed.last_error = "blad", 8, "550 brak skrzynki"
    return report.id, failed.id


async def _case_of_the_call(client: Client) -> str:
    report = await client.post("/api/zgloszenia", json={"topic": "Raty", "call_id": "c-jan"},
                               headers=as_("agent"))  # fmt: skip
    assert report.status == 201, await report.text()
    body = {"unit": "FN", "jrwa": "3110", "title": "Raty podatku od nieruchomości"}
    case = await client.post(f"/api/zgloszenia/{(await report.json())['id']}/sprawa",
                             json=body, headers=as_("specialist"))  # fmt: skip
    assert case.status == 201, await case.text()
    return str((await case.json())["signature"])


async def test_messages_offer_the_residents_cases_and_the_agent_joins_one(
    world: tuple[Client, Store, InProcessBus],
) -> None:
    client, store, _bus = world
    report, failed = await store.run(_seed)
    signature = await _case_of_the_call(client)

    response = await client.get(f"/api/zgloszenia/{report}/wiadomosci", headers=as_("agent"))
    assert response.status == 200, await response.text()
    shown: dict[str, Any] = await response.json()
    assert [m["signature"] for m in shown["matters"]] == [signature]
    [out] = shown["messages"]
    assert (out["id"], out["send_state_label"], out["last_error"]) == (
        failed, "nie wysłano", "550 brak skrzynki",
    )  # fmt: skip

    join = await client.post(f"/api/zgloszenia/{report}/sprawa", json={"signature": signature},
                             headers=as_("agent"))  # fmt: skip
    assert join.status == 200, await join.text()
    again = await (await client.get(f"/api/zgloszenia/{report}/wiadomosci",
                                    headers=as_("agent"))).json()  # fmt: skip
    assert again["report"]["case"] == signature


async def test_retry_of_a_failed_send_updates_the_wallboard_at_once(
    world: tuple[Client, Store, InProcessBus],
) -> None:
    client, store, bus = world
    _report, failed = await store.run(_seed)
    refused = await client.post(f"/api/wiadomosci/niewyslane/{failed}/ponow", headers=as_("agent"))
    assert refused.status == 403
    async with bus.subscribe("channel") as board:
        response = await client.post(f"/api/wiadomosci/niewyslane/{failed}/ponow",
                                     headers=as_("supervisor"))  # fmt: skip
        assert response.status == 202, await response.text()
        topic, message = await asyncio.wait_for(board.__anext__(), 5)
    assert topic == "channel" and message["type"] == "MessageQueueBoard", message
    assert (message["failed_sends"], message["in_progress"]) == (0, 1), message
    state = await store.run(lambda s: s.get(ChannelMessage, failed).send_state)
    assert state == "oczekuje"
