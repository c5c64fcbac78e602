"""The senders run in the product: ``create_app`` with ``sms.enabled`` (the local SMSAPI
gateway of tests.smsgateway) starts the supervised SMS sender; a batch queued through
``app[NOTIFY]`` is delivered without anyone running rounds, the supervisors' API shows it, and
a delivery left ``sending`` by a stopped process is recovered at start (no Asterisk needed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cic.bus import InProcessBus
from cic.config import load_settings
from cic.credentials import Credentials
from cic.db import Store
from cic.notify.plugin import NOTIFY, SENDERS, SMS_LOOP
from cic.notify.service import NotifyService, Outgoing, Recipient
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port
from tests.smsgateway import TOKEN, SmsGateway


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGateway]:
    server = SmsGateway()
    await server.start()
    yield server
    await server.stop()


def settings_for(state: Path, gateway: SmsGateway) -> Any:
    return load_settings(environ={
        "CIC_STATE_DIR": str(state), "CIC_ASTERISK__AMI_PORT": str(free_port()),
        "CIC_ASTERISK__AGI_PORT": str(free_port()), "CIC_ASTERISK__INSTANCE": "notify-test",
        "CIC_SMS__ENABLED": "true", "CIC_SMS__BASE_URL": gateway.url,
        "CIC_SMS__SENDER": "Gmina", "CIC_NOTIFY__POLL_SECONDS": "1",
    })  # fmt: skip


async def until(check: Any, seconds: float = 30) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not within the time")


async def test_the_product_sends_sms_from_the_queue(tmp_path: Path, gateway: SmsGateway) -> None:
    Credentials(tmp_path / "secrets.json").set_secret("sms_token", TOKEN)
    settings = settings_for(tmp_path, gateway)
    # A delivery left "sending" by a process that stopped before it finished.
    store = Store(settings.db_url)
    store.migrate()
    bus = InProcessBus()
    earlier = NotifyService(store, bus)
    await earlier.send(
        "warning:1", Outgoing("Próba syren o 12:00."), [Recipient("sms", "500100201")]
    )
    assert len(await earlier.claim("sms", 10)) == 1
    await bus.close()
    await store.close()

    app = create_app(settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        service = app[NOTIFY]
        people = [Recipient("sms", f"5001002{n:02d}", f"subscriber:{n}") for n in range(2, 12)]
        await service.send("warning:1", Outgoing("Próba syren o 12:00."), people)

        async def done() -> bool:
            return bool((await service.summary("warning:1"))["finished"])

        await until(done)
        summary = await service.summary("warning:1")
        assert summary["channels"] == {"sms": {"delivered": 11}}
        assert len(gateway.numbers()) == 11 == len(set(gateway.numbers()))
        token = app[SERVICES].credentials.api_token
        answer = await client.get("/api/powiadomienia/warning:1",
                                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status == 200
        body = await answer.json()
        assert body["summary"]["reached"] == 11
        assert [s["channel"] for s in body["senders"]] == ["sms"]
        states = {s.name: s.status for s in app[SERVICES].supervisor.states()}
        assert states[SMS_LOOP] == "running"
        built = app[SENDERS]
        assert built.service is service and built.sms is not None and built.email is None
