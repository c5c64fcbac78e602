"""The portal's contact page through a real server, without JavaScript (form-encoded POSTs,
as a browser sends them): a message becomes a report with channel "www"; errors come back on
the same page in Polish with what was typed; the token, consent, honeypot and hourly limit
of the web form apply; and the page views are counted without anything about the visitor."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy import func, select

from cic.cases.models import ContactReport
from cic.channels.formtoken import FormTokens
from cic.channels.intake import IntakePolicy
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform import WebForm
from cic.config import Settings
from cic.db import Store
from cic.portal import contact
from cic.portal.models import PortalPageView
from cic.portal.plugin import Portal
from cic.portal.visits import VisitCounter, daily_views, is_robot
from tests.component.portal_world import PortalWorld, portal_client

CONSENT = "Zgoda testowa na przetwarzanie danych."
ODD = "„Cudzysłów” 'O''Brien' \"; DROP TABLE contact_reports;-- $(rm -rf /) `id` <b>x</b>"
TOKEN = re.compile(r'name="token" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[tuple[PortalWorld, Clock]]:
    store = Store(db_url)
    store.migrate()
    clock = Clock()
    policy = IntakePolicy(
        reply_days={"www": 3}, zone="Europe/Warsaw", domain="gmina.example",
        own_addresses=("kontakt@gmina.example",),
        acknowledgement=lambda n, r, d: (f"Potwierdzenie {n}", "Dziękujemy."),
    )  # fmt: skip
    form = WebForm(
        store, FormTokens(b"klucz-formularza", min_seconds=3, max_hours=24, clock=clock),
        HourlyLimit(per_client=3, total=50), policy, consent=CONSENT, min_seconds=3,
    )  # fmt: skip

    def add(app: web.Application, portal: Portal) -> None:
        app.add_routes(contact.routes(form))

    async with portal_client(store, Settings(), add=add) as portal_world:
        yield portal_world, clock
    await store.close()


async def blank(world: PortalWorld, clock: Clock, ip: str = "203.0.113.7") -> str:
    status, body = await world.get("/e-urzad/kontakt", ip=ip)
    found = TOKEN.search(body)
    assert status == 200 and found and CONSENT in body
    clock.now += timedelta(seconds=10)  # a person types the message
    return found.group(1)


def fields(token: str, **more: str) -> dict[str, str]:
    return {"token": token, "message": "Na ul. Testowej nie świeci latarnia.", "consent": "tak",
            "website": "", **more}  # fmt: skip


async def reports(store: Store) -> list[ContactReport]:
    return list(await store.run(lambda s: s.scalars(select(ContactReport)).all()))


async def test_a_message_sent_without_javascript_is_a_www_report(
    world: tuple[PortalWorld, Clock],
) -> None:
    portal, clock = world
    token = await blank(portal, clock)
    sent = await portal.post("/e-urzad/kontakt", fields(
        token, topic="Latarnia", name="Anna Testowa", email="anna.testowa@example.pl",
    ))  # fmt: skip
    assert sent.status == 303, await sent.text()
    location = sent.headers["Location"]
    [report] = await reports(portal.store)
    assert location == f"/e-urzad/kontakt/wyslano?nr={report.id}"
    assert report.channel == "www" and report.topic == "Latarnia"
    assert report.contact == "anna.testowa@example.pl"
    status, thanks = await portal.get(location)
    assert status == 200 and f"<strong>{report.id}</strong>" in thanks
    again = await portal.post("/e-urzad/kontakt", fields(token))  # a reload sends it again
    assert again.status == 400 and "już wysłana" in await again.text()
    assert len(await reports(portal.store)) == 1


async def test_errors_come_back_beside_their_fields_with_what_was_typed(
    world: tuple[PortalWorld, Clock],
) -> None:
    portal, clock = world
    token = await blank(portal, clock)
    sent = await portal.post("/e-urzad/kontakt", fields(
        token, message="  ", email="to nie adres", name=ODD, consent="",
    ))  # fmt: skip
    page = await sent.text()
    assert sent.status == 400
    assert 'class="error-summary"' in page and 'href="#pole-message"' in page
    assert 'href="#pole-email"' in page
    assert 'id="pole-email"' in page and 'aria-invalid="true"' in page
    assert "to nie adres" in page  # kept for correcting
    assert "&#34;; DROP TABLE" in page or "&quot;; DROP TABLE" in page  # escaped, kept
    assert "<b>x</b>" not in page
    assert await reports(portal.store) == []
    no_consent = await portal.post("/e-urzad/kontakt", fields(await blank(portal, clock),
                                                              consent=""))  # fmt: skip
    text = await no_consent.text()
    assert no_consent.status == 400 and 'href="#pole-consent"' in text
    assert await reports(portal.store) == []


async def test_a_forged_or_hurried_form_is_refused_with_a_new_token(
    world: tuple[PortalWorld, Clock],
) -> None:
    portal, _clock = world
    forged = await portal.post("/e-urzad/kontakt", fields("v1.1.abc.def"))
    assert forged.status == 400 and "nieważny" in await forged.text()
    _status, body = await portal.get("/e-urzad/kontakt")
    hurried = await portal.post("/e-urzad/kontakt", fields(TOKEN.findall(body)[0]))
    page = await hurried.text()
    assert hurried.status == 400 and "zbyt szybko" in page
    assert TOKEN.search(page) is not None  # the form again, with a fresh token
    assert await reports(portal.store) == []


async def test_the_hourly_limit_per_address_answers_429_with_retry_after(
    world: tuple[PortalWorld, Clock],
) -> None:
    portal, clock = world
    for n in range(3):
        sent = await portal.post("/e-urzad/kontakt", fields(await blank(portal, clock),
                                                            topic=f"Sprawa {n}"))  # fmt: skip
        assert sent.status == 303
    fourth = await portal.post("/e-urzad/kontakt", fields(await blank(portal, clock)))
    assert fourth.status == 429 and int(fourth.headers["Retry-After"]) > 0
    assert "zbyt wiele" in (await fourth.text()).lower()
    other = await portal.post(
        "/e-urzad/kontakt",
        fields(await blank(portal, clock, ip="198.51.100.9")),
        ip="198.51.100.9",
    )
    assert other.status == 303 and len(await reports(portal.store)) == 4


async def test_the_honeypot_gets_the_same_thanks_and_no_report(
    world: tuple[PortalWorld, Clock],
) -> None:
    portal, clock = world
    sent = await portal.post("/e-urzad/kontakt", fields(await blank(portal, clock),
                                                        website="http://spam.example"))  # fmt: skip
    assert sent.status == 303 and sent.headers["Location"] == "/e-urzad/kontakt/wyslano"
    assert await reports(portal.store) == []


def test_robots_are_told_apart_by_what_they_say() -> None:
    assert is_robot("Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert is_robot("curl/8.0") and is_robot("")
    assert not is_robot("Mozilla/5.0 (Linux; Android 10) Chrome/120 Mobile Safari/537.36")


async def test_page_views_are_counted_per_day_and_path_and_written_in_batches(
    db_url: str,
) -> None:
    store = Store(db_url)
    store.migrate()
    now = [datetime(2026, 12, 4, 22, 30, tzinfo=UTC)]  # 23:30 in Warsaw: still the 4th
    counter = VisitCounter(store, "Europe/Warsaw", max_paths=3, clock=lambda: now[0])
    for path in ("/e-urzad/", "/e-urzad/", "/e-urzad/uslugi"):
        counter.count(path)
    now[0] += timedelta(hours=1)  # 00:30 on the 5th
    counter.count("/e-urzad/")
    counter.count("/e-urzad/zbyt-wiele-sciezek")  # a fourth distinct key: not kept
    assert counter.pending == 4 and await counter.flush() == 4 and counter.pending == 0
    counter.count("/e-urzad/")
    assert await counter.flush() == 1
    rows = await store.run(lambda s: {(r.day, r.path): r.views for r in s.scalars(
        select(PortalPageView)).all()})  # fmt: skip
    assert rows == {
        (date(2026, 12, 4), "/e-urzad/"): 2,
        (date(2026, 12, 4), "/e-urzad/uslugi"): 1,
        (date(2026, 12, 5), "/e-urzad/"): 2,
    }
    summary = await daily_views(store, date(2026, 12, 1), date(2026, 12, 31))
    assert summary["total"] == 5
    assert summary["days"] == [{"day": "2026-12-04", "views": 3}, {"day": "2026-12-05", "views": 2}]
    assert summary["pages"][0] == {"path": "/e-urzad/", "views": 4}
    await store.close()


async def test_views_wait_in_memory_while_the_database_is_down(tmp_path: object) -> None:
    store = Store("sqlite:////nonexistent-dir/cic.db")
    counter = VisitCounter(store, "Europe/Warsaw")
    counter.count("/e-urzad/")
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        await counter.flush()
    counter.count("/e-urzad/")
    assert counter.pending == 2
    await store.close()


async def test_pages_shown_through_the_server_are_counted_but_not_robots_or_errors(
    db_url: str,
) -> None:
    store = Store(db_url)
    store.migrate()
    counter = VisitCounter(store)

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        counter.on_response(request, response)

    def add(app: web.Application, portal: Portal) -> None:
        app.on_response_prepare.append(on_prepare)

    async with portal_client(store, Settings(), add=add) as portal:
        person = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"}
        for path in ("/e-urzad/", "/e-urzad/?q=jan.kowalski%40example.pl", "/e-urzad/nie-ma"):
            await portal.client.get(path, headers=person)
        await portal.client.get("/e-urzad/", headers={"User-Agent": "Googlebot/2.1"})
        await counter.flush()
    rows = await store.run(lambda s: s.scalars(select(PortalPageView)).all())
    assert [(r.path, r.views) for r in rows] == [("/e-urzad/", 2)]  # no query, no 404, no bot
    total = await store.run(lambda s: s.scalar(select(func.count()).select_from(PortalPageView)))
    assert total == 1
    await store.close()
