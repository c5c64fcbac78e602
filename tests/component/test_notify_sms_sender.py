"""The SMS sender of the notification store end to end: the real store (SQLite and
PostgreSQL), the SMSAPI adapter and the local gateway of tests.smsgateway. A batch of a few
hundred completes with every result recorded and nothing sent twice, within the gateway's
rate limit; 429s, 5xx bursts and a crash in the middle lose and double nothing; a refused
token or an empty account stops the sender with the deliveries still queued and an alarm,
and sending resumes once the gateway takes messages again."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from cic.bus import InProcessBus
from cic.db import Store
from cic.notify.links import ConfirmLinks, confirm_key
from cic.notify.senders import SmsSender
from cic.notify.service import TOPIC, NotifyService, Outgoing, Recipient
from cic.sms.smsapi import SmsApi
from tests.smsgateway import TOKEN, SmsGateway

WARNING = Outgoing("Silny wiatr do 90 km/h w sołectwie Dębówka, jutro 6:00–18:00.", "UG Testowo")


def number(n: int) -> str:
    """Made-up mobile numbers: 500 100 2xx and on."""
    return f"5001{n + 200:05d}"


@dataclass
class World:
    service: NotifyService
    gateway: SmsGateway
    provider: SmsApi
    bus: InProcessBus
    alarms: list[dict[str, Any]]

    def sender(self, per_second: int = 200, **options: Any) -> SmsSender:
        options.setdefault("first_pause", 0.02)
        return SmsSender(self.service, self.bus, self.provider, per_second=per_second, **options)

    async def queue(self, count: int, batch: str = "warning:1", message: Outgoing = WARNING,
                    start: int = 0) -> None:  # fmt: skip
        people = [Recipient("sms", number(start + n), f"subscriber:{n}") for n in range(count)]
        assert (await self.service.send(batch, message, people))["queued"] == count

    async def drain(self, sender: SmsSender) -> None:
        while await sender.round():
            pass

    async def statuses(self, batch: str = "warning:1") -> Counter[str]:
        return Counter(d["status"] for d in await self.service.deliveries(batch))


class RecordingBus(InProcessBus):
    """The in-process bus, keeping the alarms published on it."""

    def __init__(self) -> None:
        super().__init__()
        self.alarms: list[dict[str, Any]] = []

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        if topic == TOPIC and message.get("type") == "notify.alarm":
            self.alarms.append(message)
        await super().publish(topic, message)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    bus, gateway = RecordingBus(), SmsGateway()
    await gateway.start()
    provider = SmsApi(TOKEN, base_url=gateway.url, sender="Gmina", timeout=2)
    service = NotifyService(store, bus, attempts={"sms": 3}, retry_seconds=60)
    yield World(service, gateway, provider, bus, bus.alarms)
    await provider.close()
    await gateway.stop()
    await bus.close()
    await store.close()


async def test_a_batch_of_three_hundred_goes_out_once_each_within_the_rate_limit(
    world: World,
) -> None:
    world.gateway.per_second = 100
    await world.queue(300)
    sender = world.sender(per_second=90)
    await world.drain(sender)
    assert await world.statuses() == {"delivered": 300}
    sent = world.gateway.numbers()
    assert len(sent) == 300 and len(set(sent)) == 300
    assert {f"48{number(n)}" for n in range(300)} == set(sent)
    assert [r.answer for r in world.gateway.received].count(429) == 0
    details = {d["detail"] for d in await world.service.deliveries("warning:1")}
    assert all(detail.startswith("smsapi ") and "części: 2" in detail for detail in details)
    assert world.gateway.sent[0]["message"].startswith("UG Testowo: Silny wiatr")
    assert sender.state.sent == 300 and sender.state.failed == 0


async def test_past_the_gateways_limit_the_sender_backs_off_and_loses_nothing(
    world: World,
) -> None:
    world.gateway.per_second = 10
    await world.queue(40)
    sender = world.sender(per_second=40)
    await world.drain(sender)
    assert await world.statuses() == {"delivered": 40}
    assert [r.answer for r in world.gateway.received].count(429) > 0
    assert len(world.gateway.numbers()) == len(set(world.gateway.numbers())) == 40
    assert sender.limiter.interval > sender.limiter.fastest  # it slowed down


async def test_a_burst_of_server_errors_is_waited_out(world: World) -> None:
    await world.queue(10)
    world.gateway.fail_next(4, 503)
    await world.drain(world.sender(per_second=50))
    assert await world.statuses() == {"delivered": 10}
    assert sorted(world.gateway.numbers()) == sorted(f"48{number(n)}" for n in range(10))


async def test_a_gateway_down_for_long_gives_the_delivery_back_for_later(world: World) -> None:
    await world.queue(1)
    world.gateway.fail_next(100, 502)
    sender = world.sender(per_second=50, temporary_tries=3, retry_seconds=3600)
    assert await sender.round() == 1
    [delivery] = await world.service.deliveries("warning:1")
    assert delivery["status"] == "queued" and delivery["attempts"] == 1
    assert "502" in delivery["detail"] and world.gateway.sent == []
    assert await sender.round() == 0  # not due for an hour


async def test_a_wrong_or_blacklisted_number_fails_alone(world: World) -> None:
    await world.queue(5)
    world.gateway.blacklist.add(f"48{number(2)}")
    await world.service.send("warning:1", WARNING, [Recipient("sms", "221002003", "stacjonarny")])
    await world.drain(world.sender())
    assert await world.statuses() == {"delivered": 4, "failed": 2}
    failed = {d["address"]: d["detail"] for d in await world.service.deliveries("warning:1")
              if d["status"] == "failed"}  # fmt: skip
    assert failed == {
        number(2): "Numer odrzucony przez bramkę SMS (błąd 57).",
        "221002003": "Numer odrzucony przez bramkę SMS (błąd 13).",
    }


async def test_a_refused_token_stops_sending_keeps_the_queue_and_raises_an_alarm(
    world: World,
) -> None:
    await world.queue(20)
    world.gateway.token = "nowy-token-po-zmianie"
    sender = world.sender(gateway_check_seconds=3600)
    assert await sender.round() == 0
    assert await world.statuses() == {"queued": 20}
    assert all(d["attempts"] == 0 for d in await world.service.deliveries("warning:1"))
    assert sender.state.stopped and "token" in sender.state.reason
    [alarm] = world.alarms
    assert alarm["stopped"] and alarm["message"].startswith("Wysyłka SMS wstrzymana")
    assert await sender.round() == 0  # stopped: not even tried until the check is due
    assert len(world.gateway.received) <= sender.workers

    world.gateway.token = TOKEN  # the office put the right token back
    sender.gateway_check = 0
    sender._retry_at = 0
    await world.drain(sender)
    assert await world.statuses() == {"delivered": 20}
    assert not sender.state.stopped
    assert [a["stopped"] for a in world.alarms] == [True, False]


async def test_no_credit_halfway_keeps_the_rest_queued_until_topped_up(world: World) -> None:
    await world.queue(30)
    world.gateway.points = 0.16 * 10 + 0.01
    sender = world.sender(per_second=20, gateway_check_seconds=3600)
    await world.drain(sender)
    assert await world.statuses() == {"delivered": 10, "queued": 20}
    assert "środków" in sender.state.reason
    world.gateway.points = 100
    sender._retry_at = 0
    await world.drain(sender)
    assert await world.statuses() == {"delivered": 30}
    assert len(set(world.gateway.numbers())) == 30 == len(world.gateway.numbers())


async def test_a_message_sent_just_before_a_crash_is_not_sent_again(world: World) -> None:
    await world.queue(3)
    [first, *_] = await world.service.claim("sms", 3)
    await world.provider.send(first.address, "Silny wiatr", f"cic-notify-{first.id}")
    assert await world.service.recover("sms") == 3  # the process stopped before finish()
    await world.drain(world.sender())
    assert await world.statuses() == {"delivered": 3}
    assert len(world.gateway.numbers()) == 3 == len(set(world.gateway.numbers()))
    again = await world.service.get(first.id)
    assert again["detail"] == "bramka miała już tę wiadomość (wysłana wcześniej)"


async def test_a_confirmation_link_is_short_and_in_the_message(world: World) -> None:
    links = ConfirmLinks(confirm_key(b"k" * 32), "https://gmina.example.pl")
    await world.queue(1, message=Outgoing("Proszę potwierdzić dyżur.", confirm=True))
    await world.drain(world.sender(links=links))
    [delivery] = await world.service.deliveries("warning:1")
    text = world.gateway.sent[0]["message"]
    assert text == f"Proszę potwierdzić dyżur.\nPotwierdź odbiór: {links.url(delivery['id'])}"
    assert len(links.url(delivery["id"]).rsplit("/", 1)[1]) <= 20


async def test_a_cancelled_batch_is_not_sent(world: World) -> None:
    await world.queue(5)
    assert await world.service.cancel("warning:1") == 5
    await world.drain(world.sender())
    assert await world.statuses() == {"cancelled": 5} and world.gateway.received == []
