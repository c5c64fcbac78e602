"""The public web form through a real aiohttp server with the real auth, proxy and error
middlewares (SQLite and PostgreSQL): a message becomes a report in the message queue with
one acknowledgement; honeypot, time to fill, replay, rate limits, consent and odd input are
each refused (or trapped) with a stable id, and nothing is half stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from cic.auth.middleware import auth_middleware
from cic.auth.models import AuditEntry
from cic.auth.proxies import TrustedProxies, forwarded_middleware
from cic.auth.service import AuthService
from cic.cases.models import ContactReport
from cic.channels.formtoken import FormTokens
from cic.channels.intake import IntakePolicy, IntakeResult
from cic.channels.models import ChannelMessage
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform import WebForm, first_words
from cic.channels.webform_views import routes
from cic.db import Store
from cic.residents.schemas import NewResident
from cic.residents.service import ResidentService
from cic.web.errors import error_middleware

Client = TestClient[Any, Any]
CONSENT = "Wyrażam zgodę na przetwarzanie moich danych (tekst testowy)."
ODD = "„Cudzysłów” 'O''Brien' \"; DROP TABLE contact_reports;-- $(rm -rf /) `id` | & ; <b>x</b>"


class Clock:
    """The tokens' clock, moved by the test (a form is filled in by advancing it)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def acknowledgement(number: int, received: date, due: date) -> tuple[str, str]:
    return f"Potwierdzenie zgłoszenia nr {number}", f"Odpowiemy do {due.isoformat()}."


@dataclass
class World:
    client: Client
    store: Store
    clock: Clock
    told: list[IntakeResult]

    @property
    def origin(self) -> dict[str, str]:
        return {"Origin": str(self.client.make_url("")).rstrip("/")}

    async def blank(self, wait: float = 5) -> str:
        """A new form's token, the form then filled in for ``wait`` seconds."""
        answer = await self.client.get("/api/formularz")
        assert answer.status == 200
        token = str((await answer.json())["token"])
        self.clock.advance(seconds=wait)
        return token

    async def send(
        self, body: dict[str, Any], client_ip: str = "203.0.113.7"
    ) -> tuple[int, dict[str, Any]]:
        sent = await self.client.post(
            "/api/formularz", json=body, headers={**self.origin, "X-Forwarded-For": client_ip}
        )
        return sent.status, await sent.json()

    async def count(self, model: Any, *where: Any) -> int:
        return int(await self.store.run(
            lambda s: s.scalar(select(func.count()).select_from(model).where(*where))
        ) or 0)  # fmt: skip


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    store = Store(db_url)
    store.migrate()
    clock = Clock()
    told: list[IntakeResult] = []

    async def on_report(result: IntakeResult) -> None:
        told.append(result)

    policy = IntakePolicy(
        reply_days={"www": 3}, zone="Europe/Warsaw", domain="gmina.example",
        own_addresses=("kontakt@gmina.example",), acknowledgement=acknowledgement,
    )  # fmt: skip
    form = WebForm(
        store, FormTokens(b"klucz-testowy", min_seconds=3, max_hours=24, clock=clock),
        HourlyLimit(per_client=3, total=5), policy, consent=CONSENT, min_seconds=3,
        on_report=on_report,
    )  # fmt: skip
    app = web.Application(middlewares=[
        forwarded_middleware(TrustedProxies(["127.0.0.1"])), error_middleware(),
        auth_middleware(AuthService(store), "token-api-testowy"),
    ])  # fmt: skip
    app.add_routes(routes(form))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield World(client, store, clock, told)
    await store.close()


def message(token: str, **more: Any) -> dict[str, Any]:
    return {"token": token, "message": "Na ul. Testowej nie świeci latarnia.", "consent": True,
            "website": "", **more}  # fmt: skip


async def test_a_blank_form_needs_no_sign_in(world: World) -> None:
    answer = await world.client.get("/api/formularz")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("application/json")
    blank = await answer.json()
    assert blank["consent"] == CONSENT and blank["honeypot"] == "website"
    assert blank["token"].startswith("v1.") and blank["min_seconds"] == 3
    assert {f["name"] for f in blank["fields"]} >= {"message", "email", "consent"}
    again = await (await world.client.get("/api/formularz")).json()
    assert again["token"] != blank["token"]


async def test_an_accepted_message_is_a_report_in_the_queue_with_one_acknowledgement(
    world: World,
) -> None:
    token = await world.blank()
    status, answer = await world.send(message(
        token, name="Anna Testowa", email="Anna.Testowa@Example.PL", phone="600 100 200",
        topic="Latarnia",
    ))  # fmt: skip
    assert status == 201, answer
    report_id = answer["report"]
    assert isinstance(report_id, int) and answer["message"].startswith("Dziękujemy")
    report = await world.store.run(lambda s: s.get(ContactReport, report_id))
    assert report is not None and report.channel == "www" and report.status == "nowe"
    assert report.waiting_since is not None and report.reply_due is not None
    assert report.topic == "Latarnia" and report.contact == "anna.testowa@example.pl"
    assert report.owner == "" and report.department == ""  # the first line's shared queue
    incoming = await world.store.run(lambda s: s.scalars(select(ChannelMessage).where(
        ChannelMessage.direction == "in")).all())  # fmt: skip
    assert len(incoming) == 1
    assert incoming[0].report_id == report_id and incoming[0].channel == "www"
    assert incoming[0].from_name == "Anna Testowa"
    assert incoming[0].body_text == "Na ul. Testowej nie świeci latarnia."
    assert "Wyrażam zgodę" in incoming[0].consent  # the text accepted, word for word
    assert (
        incoming[0].message_id.startswith("<www-") and token.split(".")[2] in incoming[0].message_id
    )
    outgoing = await world.store.run(lambda s: s.scalars(select(ChannelMessage).where(
        ChannelMessage.direction == "out")).all())  # fmt: skip
    assert [(m.purpose, m.to_addresses, m.report_id) for m in outgoing] == [
        ("potwierdzenie", "anna.testowa@example.pl", report_id)
    ]
    assert f"[ZGL-{report_id}]" in outgoing[0].subject
    consent = await world.store.run(lambda s: s.scalars(select(AuditEntry).where(
        AuditEntry.action == "web_form_consent")).all())  # fmt: skip
    assert len(consent) == 1 and consent[0].detail["consent"] == CONSENT
    assert consent[0].target == f"zgloszenie:{report_id}"
    assert [r.report_id for r in world.told] == [report_id] and world.told[0].acknowledged


async def test_without_an_address_no_acknowledgement_and_the_subject_from_the_text(
    world: World,
) -> None:
    text = (
        "Proszę o informację, kiedy będzie odbiór odpadów wielkogabarytowych na osiedlu Słonecznym."
    )
    status, answer = await world.send(message(await world.blank(), message=text))
    assert status == 201, answer
    report = await world.store.run(lambda s: s.get(ContactReport, answer["report"]))
    assert report is not None and report.topic == first_words(text) and report.topic.endswith("…")
    assert report.contact == ""
    assert await world.count(ChannelMessage, ChannelMessage.direction == "out") == 0


async def test_the_resident_is_found_by_address_or_else_by_number(world: World) -> None:
    residents = ResidentService(world.store)
    by_mail = await residents.create(
        NewResident.model_validate({"name": "Ewa Mailowa", "emails": ["ewa@example.pl"]}), "t"
    )
    by_phone = await residents.create(
        NewResident.model_validate({"name": "Jan Dzwoniący", "numbers": ["825001020"]}), "t"
    )
    _, first = await world.send(message(await world.blank(), email="EWA@example.pl",
                                        phone="825001020"))  # fmt: skip
    _, second = await world.send(message(await world.blank(), email="nieznany@example.pl",
                                         phone="+48 82 500 10 20"))  # fmt: skip
    _, third = await world.send(message(await world.blank(), phone="600999999"))
    found = await world.store.run(lambda s: [s.get(ContactReport, a["report"]).resident_id
                                             for a in (first, second, third)])  # fmt: skip
    assert found == [by_mail["id"], by_phone["id"], None]


async def test_a_filled_honeypot_is_thanked_and_kept_as_automatic_mail(world: World) -> None:
    status, answer = await world.send(message(
        await world.blank(), email="ofiara@example.pl", website="http://spam.example",
    ))  # fmt: skip
    assert status == 201 and answer["report"] is None and answer["message"].startswith("Dzięk")
    assert await world.count(ContactReport) == 0
    kept = await world.store.run(lambda s: s.scalars(select(ChannelMessage)).all())
    assert [(m.direction, m.auto, m.report_id) for m in kept] == [("in", "spam", None)]
    assert world.told == []  # no acknowledgement, nothing announced


async def test_time_to_fill_a_form(world: World) -> None:
    token = await world.blank(wait=1)
    status, answer = await world.send(message(token))
    assert (status, answer["error"]) == (400, "form_too_fast")
    assert "zbyt szybko" in answer["message"]
    world.clock.advance(seconds=3)
    status, answer = await world.send(message(token))  # the same form, now filled in
    assert status == 201, answer
    old = await world.blank(wait=24 * 3600 + 1)
    status, answer = await world.send(message(old))
    assert (status, answer["error"]) == (400, "form_expired")


async def test_each_form_is_taken_once(world: World) -> None:
    token = await world.blank()
    assert (await world.send(message(token)))[0] == 201
    status, answer = await world.send(message(token, message="Jeszcze raz to samo."))
    assert (status, answer["error"]) == (400, "form_token_used")
    assert await world.count(ContactReport) == 1
    trapped = await world.blank()
    assert (await world.send(message(trapped, website="x")))[0] == 201
    status, answer = await world.send(message(trapped))
    assert (status, answer["error"]) == (400, "form_token_used")
    version, issued, _nonce, signature = token.split(".")
    for bad in (f"{version}.{issued}.{'f' * 32}.{signature}", token[:-2], "", "v1.x"):
        status, answer = await world.send(message(bad))
        assert (status, answer["error"]) == (400, "form_token_invalid"), bad


async def test_hourly_caps_per_client_and_in_all(world: World) -> None:
    for _ in range(3):
        assert (await world.send(message(await world.blank()), "198.51.100.1"))[0] == 201
    refused = await world.client.post(
        "/api/formularz", json=message(await world.blank()),
        headers={**world.origin, "X-Forwarded-For": "198.51.100.1"},
    )  # fmt: skip
    answer = await refused.json()
    assert refused.status == 429 and answer["error"] == "form_rate_limited"
    assert int(refused.headers["Retry-After"]) > 0 and "min" in answer["message"]
    # the refused form was not used up: it goes through from elsewhere
    assert (await world.send(message(await world.blank()), "198.51.100.2"))[0] == 201
    assert (await world.send(message(await world.blank()), "198.51.100.3"))[0] == 201
    status, answer = await world.send(message(await world.blank()), "198.51.100.4")
    assert (status, answer["error"]) == (429, "form_busy")
    assert await world.count(ContactReport) == 5


async def test_consent_is_required(world: World) -> None:
    for consent in (False, None):
        body = message(await world.blank(), consent=consent)
        if consent is None:
            del body["consent"]
        status, answer = await world.send(body)
        assert (status, answer["error"]) == (400, "form_consent_missing")
        assert "zgody" in answer["message"]
    status, answer = await world.send(message(await world.blank(), consent="true"))
    assert (status, answer["error"]) == (400, "invalid_form")
    assert await world.count(ContactReport) == 0


async def test_odd_input(world: World) -> None:
    status, answer = await world.send(message(await world.blank(), message="x" * 10_001))
    assert (status, answer["error"]) == (400, "invalid_form") and "10000" in answer["message"]
    status, answer = await world.send(message(await world.blank(), message="ą" * 10_000))
    assert status == 201, answer
    status, answer = await world.send(message(await world.blank(), name="N" * 300))
    assert status == 400 and "Imię i nazwisko" in answer["message"] and "300" in answer["message"]
    status, answer = await world.send(message(
        await world.blank(), message=ODD, name=ODD[:200], topic=ODD[:200]
    ))  # fmt: skip
    assert status == 201, answer
    report = await world.store.run(lambda s: s.get(ContactReport, answer["report"]))
    assert report is not None and report.topic == ODD[:200].strip()
    stored = await world.store.run(lambda s: s.scalars(select(ChannelMessage.body_text).where(
        ChannelMessage.report_id == answer["report"])).all())  # fmt: skip
    assert stored == [ODD]
    for body, words in (
        ({}, "Token"),
        (message(await world.blank(), message=""), "Treść"),
        (message(await world.blank(), message="   \n  "), "Treść"),
        (message(await world.blank(), email="nie-adres"), "e-mail"),
        (message(await world.blank(), phone="123"), "Telefon"),
        (message(await world.blank(), topic="dwie\nlinie"), "Temat"),
        ({"token": ["lista"], "message": "x"}, "Token"),
    ):
        status, answer = await world.send(body)
        assert (status, answer["error"]) == (400, "invalid_form"), body
        assert words in answer["message"], answer
    not_json = await world.client.post("/api/formularz", data="message=x",
                                       headers=world.origin)  # fmt: skip
    assert not_json.status == 400 and (await not_json.json())["error"] == "invalid_form"
    assert await world.count(ContactReport) == 2


async def test_only_pages_of_this_server_may_send(world: World) -> None:
    token = await world.blank()
    for headers in ({}, {"Origin": "https://obca.example"}, {"Origin": "null"},
                    {"Referer": "https://obca.example/formularz"}):  # fmt: skip
        refused = await world.client.post("/api/formularz", json=message(token), headers=headers)
        assert refused.status == 403, headers
        assert (await refused.json())["error"] == "origin_rejected"
    referer = {"Referer": str(world.client.make_url("/portal/kontakt"))}
    accepted = await world.client.post("/api/formularz", json=message(token), headers=referer)
    assert accepted.status == 201
