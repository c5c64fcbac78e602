"""The strategy's success measures and their drill-downs on a real store (SQLite and
PostgreSQL), from hand-made records with known answers.

The month under test is March 2026: it starts in winter time (UTC+1) and ends in summer time
(UTC+2, from 29.03). Records at 00:30 on 1 March and 23:30 on 31 March (office time) are in
March; records at 23:50 on 28 February and 00:10 on 1 April are not (they show up in February
and, as "previous", when April is computed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.announcements.models import Announcement, NewsCategory, NewsSubscriber
from cic.auth.actor import Actor
from cic.auth.models import AuditEntry
from cic.calls.models import Call
from cic.cases.models import Case, ContactReport
from cic.config import DashboardSettings
from cic.dashboard.drill import drill
from cic.dashboard.drill_common import Ask
from cic.dashboard.errors import DrillRefused, UnknownMeasure
from cic.dashboard.period import Period, month
from cic.dashboard.schemas import DrillRow, Figure
from cic.dashboard.service import DashboardService
from cic.dashboard.strategy import Measures
from cic.db import Store
from cic.incidents.models import Incident, ThreatCategory
from cic.kb.models import KbArticle, KbArticleVersion
from cic.portal.models import PortalPageView
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.warnings.models import ResidentWarning, WarningSubscription

WARSAW = ZoneInfo("Europe/Warsaw")
MARCH, APRIL, FEBRUARY = month(2026, 3), month(2026, 4), month(2026, 2)
SETTINGS = DashboardSettings()


def local(day: str, clock: str = "12:00") -> datetime:
    """An office-time moment as aware UTC (what the store keeps)."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=WARSAW).astimezone(UTC)


def _report(n: int, channel: str, topic: str, created: datetime, **more: Any) -> ContactReport:
    return ContactReport(
        id=n,
        channel=channel,
        topic=topic,
        created_by="agent1",
        created_at=created,
        updated_at=created,
        **more,
    )


def _case(n: int, jrwa: str, started: date, closed: date | None = None) -> Case:
    return Case(
        id=n,
        signature=f"FN.{jrwa}.{n}.2026",
        unit="FN",
        jrwa=jrwa,
        year=2026,
        number=n,
        title=f"Sprawa testowa {n}",
        status="zakonczona" if closed else "w_toku",
        started_on=started,
        closed_on=closed,
        deadline_kind="miesiac",
        pin_hash="x",
        registered_by="urzednik1",
    )


def _cases_and_reports(s: Session) -> None:
    s.add_all(
        [
            _case(1, "1510", date(2026, 3, 3), date(2026, 3, 13)),  # complaint, direct, 10 days
            _case(2, "1510", date(2026, 3, 31)),  # complaint, made from report 4
            _case(3, "3110", date(2026, 3, 15), date(2026, 3, 20)),  # direct, 5 days
            _case(4, "3110", date(2026, 2, 10), date(2026, 3, 1)),  # closed in March, 19 days
            _case(5, "3110", date(2026, 2, 20), date(2026, 2, 25)),  # February, 5 days
        ]
    )
    s.flush()
    s.add_all(
        [
            _report(
                1,
                "telefon",
                "podatki",
                local("2026-03-02", "10:00"),
                status="w_toku",
                answered_at=local("2026-03-04", "10:00"),
            ),
            _report(2, "email", "skarga", local("2026-03-05", "09:00")),
            _report(3, "www", "odpady", local("2026-03-10"), status="zamkniete"),
            _report(4, "osobiscie", "skarga", local("2026-03-31", "23:30"), case_id=2),
            _report(5, "epuap", "podatki", local("2026-03-01", "00:30")),
            _report(6, "telefon", "skarga", local("2026-04-01", "00:10")),
            _report(7, "telefon", "podatki", local("2026-02-28", "23:50")),
        ]
    )
    s.flush()
    closed = s.get(ContactReport, 3)
    assert closed is not None
    closed.updated_at = local("2026-03-11", "00:00")  # closed half a day after it came in


def _calls(s: Session) -> None:
    def call(n: int, entered: datetime, answered: bool) -> Call:
        return Call(
            call_id=f"17700000{n}.1",
            entered_at=entered,
            queue="pierwsza-linia",
            answered_at=entered if answered else None,
            outcome="answered" if answered else "abandoned",
        )

    s.add_all(
        [
            call(1, local("2026-03-31", "23:30"), True),
            call(2, local("2026-04-01", "00:10"), True),
            call(3, local("2026-03-15"), False),
            call(4, local("2026-03-01", "00:30"), True),
        ]
    )


def _article(
    s: Session,
    n: int,
    created: str,
    versions: list[tuple[str, dict[str, Any]]],
    active: bool = True,
) -> None:
    s.add(
        KbArticle(
            id=n,
            slug=f"usluga-{n}",
            title=f"Usługa {n}",
            department="OR",
            current_version=len(versions),
            active=active,
            created_at=local(created),
        )
    )
    s.flush()
    for number, (day, front) in enumerate(versions, start=1):
        s.add(
            KbArticleVersion(
                article_id=n,
                version=number,
                front_matter=front,
                body="Treść.",
                content_hash=f"{n}-{number}",
                source="file",
                author="redaktor",
                created_at=local(day),
            )
        )


def _articles(s: Session) -> None:
    epuap_online = {"card": {"how_to_file": ["osobiscie", "epuap"], "online": [{"url": "x"}]}}
    form = {"card": {"how_to_file": ["osobiscie"], "forms": [{"file": "a.pdf", "title": "A"}]}}
    _article(s, 1, "2026-02-01", [("2026-02-01", epuap_online)])
    _article(s, 2, "2026-03-10", [("2026-03-10", form)])
    _article(
        s,
        3,
        "2026-02-01",
        [("2026-02-01", {}), ("2026-03-20", {"card": {"how_to_file": ["epuap"]}})],
    )
    _article(s, 4, "2026-02-01", [("2026-02-01", form)], active=False)
    _article(s, 5, "2026-02-01", [("2026-02-01", form), ("2026-03-05", {})])


def _residents(s: Session) -> None:
    s.add_all(
        [
            Resident(id=1, name="Jan Testowy", created_at=local("2026-01-10")),
            Resident(id=2, name="Anna Przykładowa", created_at=local("2026-03-31", "23:30")),
            Resident(id=3, name="Ewa Próbna", created_at=local("2026-04-01", "00:10")),
            Resident(id=5, name="Piotr Zmyślony", created_at=local("2026-03-05")),
        ]
    )
    s.flush()
    s.add(
        Resident(id=4, name="Jan Testowy (duplikat)", created_at=local("2026-02-05"), merged_into=1)
    )
    s.add_all(
        [
            ResidentNumber(resident_id=1, number="+48600100200", created_at=local("2026-01-10")),
            ResidentNumber(
                resident_id=2, number="+48600100201", created_at=local("2026-03-31", "23:30")
            ),
            ResidentEmail(
                resident_id=1, address="jan@example.invalid", created_at=local("2026-01-10")
            ),
            NewsSubscriber(
                email="a@example.invalid", state="confirmed", confirmed_at=local("2026-02-15")
            ),
            NewsSubscriber(
                email="b@example.invalid",
                state="unsubscribed",
                confirmed_at=local("2026-03-10"),
                unsubscribed_at=local("2026-03-20"),
            ),
            NewsSubscriber(email="c@example.invalid", state="pending"),
            WarningSubscription(
                channel="sms", address="600100200", state="active", consent_at=local("2026-03-02")
            ),
            WarningSubscription(channel="sms", address="600100201", state="pending"),
        ]
    )


def _news(s: Session) -> None:
    a = NewsCategory(slug="test-a", name="Kategoria A", position=-2)
    b = NewsCategory(slug="test-b", name="Kategoria B", position=-1)
    s.add_all([a, b])
    s.flush()

    def news(n: int, category: NewsCategory, state: str, at: datetime) -> Announcement:
        return Announcement(
            title=f"Ogłoszenie {n}",
            slug=f"ogloszenie-{n}",
            state=state,
            category_id=category.id,
            publish_at=at,
        )

    s.add_all(
        [
            news(1, a, "published", local("2026-03-31", "23:30")),
            news(2, a, "published", local("2026-04-01", "00:10")),
            news(3, b, "withdrawn", local("2026-03-05")),
            news(4, b, "draft", local("2026-03-06")),
            news(5, a, "published", local("2026-02-10")),
        ]
    )
    s.add_all(
        [
            PortalPageView(day=date(2026, 3, 1), path="/e-urzad", views=10),
            PortalPageView(day=date(2026, 3, 31), path="/e-urzad", views=5),
            PortalPageView(day=date(2026, 3, 31), path="/e-urzad/uslugi", views=7),
            PortalPageView(day=date(2026, 2, 28), path="/e-urzad", views=28),
        ]
    )


def _safety(s: Session) -> None:
    x = ThreatCategory(slug="test-x", name="Zagrożenie X", position=-2)
    y = ThreatCategory(slug="test-y", name="Zagrożenie Y", position=-1)
    s.add_all([x, y])
    s.flush()

    def incident(
        n: int, category: ThreatCategory, at: datetime, status: str, **more: Any
    ) -> Incident:
        return Incident(
            id=n,
            category_id=category.id,
            title=f"Zdarzenie {n}",
            lat=52.0,
            lon=21.0,
            priority="sredni",
            source="telefon",
            status=status,
            created_at=at,
            **more,
        )

    s.add_all(
        [
            incident(1, x, local("2026-03-31", "23:30"), "zgloszone"),
            incident(2, x, local("2026-04-01", "00:10"), "zgloszone"),
            incident(3, y, local("2026-03-10"), "usuniete"),
            incident(5, y, local("2026-02-15"), "przyjete"),
        ]
    )
    s.flush()
    s.add(incident(4, x, local("2026-03-11"), "polaczone", merged_into=1))

    def warning(n: int, severity: str, sent: datetime | None) -> ResidentWarning:
        return ResidentWarning(
            title=f"Ostrzeżenie {n}",
            text="Uwaga.",
            severity=severity,
            valid_until=local("2026-12-31"),
            sent_at=sent,
            state="wyslane" if sent else "szkic",
        )

    s.add_all(
        [
            warning(1, "alarm", local("2026-03-31", "23:30")),
            warning(2, "alarm", local("2026-04-01", "00:10")),
            warning(3, "informacja", None),
            warning(4, "informacja", local("2026-02-20")),
        ]
    )


def _world(s: Session) -> None:
    _cases_and_reports(s)
    _calls(s)
    _articles(s)
    _residents(s)
    _news(s)
    _safety(s)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    s.migrate()
    s.run_sync(_world)
    yield s
    s.engine.dispose()


def figure(store: Store, key: str, period: Period, portal: bool = True) -> Figure:
    return store.run_sync(lambda s: Measures(SETTINGS, portal).one(s, key, period))


def parts(f: Figure) -> dict[str, tuple[float | None, float | None, int | None]]:
    return {p.key: (p.value, p.previous, p.count) for p in f.parts}


def test_complaints_per_1000_matters_with_the_month_bounds_in_office_time(store: Store) -> None:
    march = figure(store, "strategy.complaints", MARCH)
    # complaints: cases 1 and 2 (JRWA 1510) + report 2 (report 4 became case 2) = 3;
    # matters: reports 1-5 + direct cases 1 and 3 = 7
    assert (march.value, march.previous, march.unit) == (428.6, 0.0, "na 1000")
    assert parts(march) == {
        "skargi_sprawy": (2.0, 0.0, 2),
        "skargi_zgloszenia": (1.0, 0.0, 1),
        "zgloszenia": (5.0, 1.0, 5),
        "bez_zgloszenia": (2.0, 2.0, 2),
    }
    series = {p.day: p.value for p in march.series}
    assert series[date(2026, 3, 5)] == 1000.0 and series[date(2026, 3, 2)] == 0.0
    assert series[date(2026, 3, 31)] == 1000.0  # case 2 and report 4: 1 complaint, 1 matter
    assert series[date(2026, 3, 4)] is None
    april = figure(store, "strategy.complaints", APRIL)  # report 6 at 00:10 on 1 April
    assert (april.value, april.previous) == (1000.0, 428.6)
    assert "na 1000" in march.label and march.description


def test_handling_time_per_jrwa_class_and_report_topic(store: Store) -> None:
    march = figure(store, "strategy.handling_time", MARCH)
    # cases 1 (10 d), 3 (5 d), 4 (19 d); reports 1 (2 d), 3 (0.5 d): 36.5 / 5
    assert (march.value, march.previous, march.unit) == (7.3, 5.0, "dni")
    assert parts(march) == {
        "jrwa:3110": (12.0, 5.0, 2),
        "jrwa:1510": (10.0, None, 1),
        "temat:odpady": (0.5, None, 1),
        "temat:podatki": (2.0, None, 1),
    }
    labels = {p.key: p.label for p in march.parts}
    assert labels["jrwa:3110"] == "3110 Podatek od nieruchomości"
    assert labels["temat:odpady"] == "Zgłoszenie: odpady"


def test_eservices_at_the_end_of_the_period(store: Store) -> None:
    march = figure(store, "strategy.eservices", MARCH)
    assert (march.value, march.previous) == (3.0, 2.0)  # 1, 2, 3 now; 1 and 5 in February
    assert parts(march) == {
        "epuap": (2.0, 1.0, 2),
        "online": (1.0, 1.0, 1),
        "formularze": (1.0, 1.0, 1),
    }


def test_registered_clients(store: Store) -> None:
    march = figure(store, "strategy.clients", MARCH)
    assert (march.value, march.previous) == (3.0, 1.0)  # 1, 2 (23:30 on 31.03), 5; merged 4 not
    assert parts(march) == {
        "nowi": (2.0, 0.0, 2),
        "telefon": (2.0, 1.0, 2),
        "email": (1.0, 1.0, 1),
        "newsletter": (1.0, 1.0, 1),
        "ostrzezenia": (1.0, 0.0, 1),
    }


def test_matters_handled_electronically(store: Store) -> None:
    march = figure(store, "strategy.electronic", MARCH)
    assert (march.value, march.previous, march.unit) == (80.0, 100.0, "%")
    assert parts(march) == {
        "kanal:telefon": (1.0, 1.0, 1),
        "kanal:email": (1.0, 0.0, 1),
        "kanal:www": (1.0, 0.0, 1),
        "kanal:osobiscie": (1.0, 0.0, 1),
        "kanal:epuap": (1.0, 0.0, 1),
        "odebrane": (2.0, 0.0, 2),
    }
    series = {p.day: p.value for p in march.series}
    assert (series[date(2026, 3, 1)], series[date(2026, 3, 31)], series[date(2026, 3, 3)]) == (
        100.0,
        0.0,
        None,
    )
    april = figure(store, "strategy.electronic", APRIL)
    assert (april.value, april.previous) == (100.0, 80.0)
    assert parts(april)["odebrane"] == (1.0, 2.0, 1)


def test_announcements_per_category(store: Store) -> None:
    march = figure(store, "strategy.announcements", MARCH)
    assert (march.value, march.previous) == (2.0, 1.0)  # 1 and 3 (withdrawn later); not the draft
    got = parts(march)
    assert (got["kategoria:test-a"], got["kategoria:test-b"]) == ((1.0, 1.0, 1), (1.0, 0.0, 1))
    assert [p.key for p in march.parts][:2] == ["kategoria:test-a", "kategoria:test-b"]
    assert figure(store, "strategy.announcements", APRIL).previous == 2.0


def test_portal_visits_per_day_and_switched_off(store: Store) -> None:
    march = figure(store, "strategy.portal_visits", MARCH)
    assert (march.value, march.previous) == (0.7, 1.0)  # 22 views / 31 days; 28 / 28
    assert parts(march) == {"/e-urzad": (15.0, 28.0, 15), "/e-urzad/uslugi": (7.0, 0.0, 7)}
    assert march.series[0].value == 10.0 and march.series[-1].value == 12.0
    off = figure(store, "strategy.portal_visits", MARCH, portal=False)
    assert off.available is False and off.value is None and "wyłączony" in off.note


def test_incidents_and_warnings(store: Store) -> None:
    march = figure(store, "strategy.incidents", MARCH)
    assert (march.value, march.previous) == (2.0, 1.0)  # 1 and 3; merged duplicate 4 left out
    got = parts(march)
    assert got["kategoria:test-x"] == (1.0, 0.0, 1) and got["kategoria:test-y"] == (1.0, 1.0, 1)
    assert got["stan:zgloszone"] == (1.0, 0.0, 1) and got["stan:usuniete"] == (1.0, 0.0, 1)
    assert got["stan:przyjete"] == (0.0, 1.0, 0) and "stan:polaczone" not in got
    warnings = figure(store, "strategy.warnings", MARCH)
    assert (warnings.value, warnings.previous) == (1.0, 1.0)
    assert parts(warnings)["waga:alarm"] == (1.0, 0.0, 1)
    assert figure(store, "strategy.warnings", APRIL).value == 1.0


def test_an_empty_period_has_no_value_to_divide(store: Store) -> None:
    empty = month(2025, 6)
    for key in (
        "strategy.complaints",
        "strategy.handling_time",
        "strategy.electronic",
        "strategy.portal_visits",
    ):
        got = figure(store, key, empty)
        assert (got.value, got.previous, got.available) == (None, None, True), key
    assert figure(store, "strategy.incidents", empty).value == 0.0  # a count of none is 0


def test_drill_lists_the_records_behind_a_figure(store: Store) -> None:
    def rows(key: str, part: str | None = None, limit: int = 50, offset: int = 0) -> Any:
        return store.run_sync(lambda s: drill(s, key, MARCH, part, limit, offset, SETTINGS))

    listed, total = rows("reports", limit=2)
    assert total == 5 and [r.id for r in listed] == ["4", "3"]  # newest first
    assert listed[0].link == "/sprawy?zgloszenie=4" and "osobiście" in listed[0].summary
    assert [r.id for r in rows("reports", "kanal:email")[0]] == ["2"]
    assert [r.id for r in rows("reports", "skargi_zgloszenia")[0]] == ["2"]
    assert rows("reports", offset=4)[0][0].id == "5"
    assert [r.id for r in rows("cases", "skargi_sprawy")[0]] == ["FN.1510.2.2026", "FN.1510.1.2026"]
    assert rows("cases", "bez_zgloszenia")[1] == 2
    assert rows("cases.closed", "jrwa:3110")[1] == 2
    assert [r.id for r in rows("reports.closed", "temat:podatki")[0]] == ["1"]
    assert rows("residents", "nowi")[1] == 2 and rows("residents")[1] == 3
    assert [r.id for r in rows("eservices", "formularze")[0]] == ["usluga-2"]
    assert rows("announcements", "kategoria:test-b")[1] == 1
    found = rows("incidents", "kategoria:test-x")[0]
    assert [r.id for r in found] == ["1"] and found[0].link == "/bezpieczenstwo/zgloszenia/1"
    assert rows("warnings", "waga:alarm")[1] == 1
    calls = rows("calls", "odebrane")[0]
    assert [r.link for r in calls] == ["/polaczenia/177000001.1", "/polaczenia/177000004.1"]
    for key, part in [
        ("nic", None),
        ("reports", "kanal:fax"),
        ("cases.closed", "jrwa:1' OR 1=1"),
        ("incidents", "stan:zle"),
        ("warnings", "waga:"),
        ("residents", "wszyscy"),
    ]:
        with pytest.raises(UnknownMeasure):
            rows(key, part)


async def test_the_service_reports_the_strategy_then_the_providers(store: Store) -> None:
    def extra(session: Session, period: Period) -> list[Figure]:
        return [Figure("calls.test", "Próba", "liczba", 1.0, None)]

    def extra_drill(session: Session, ask: Ask) -> tuple[list[DrillRow], int]:
        return [], ask.limit + ask.offset

    service = DashboardService(
        store,
        SETTINGS,
        "Europe/Warsaw",
        False,
        [("centrum", "Centrum", extra)],
        drills={"calls.test": extra_drill},
    )
    assert service.period({"miesiac": "2026-03"}, date(2026, 4, 2)) == MARCH
    sections = await service.report(MARCH)
    assert [(s.key, s.title) for s in sections] == [
        ("strategia", "Mierniki sukcesu strategii"),
        ("centrum", "Centrum"),
    ]
    keys = [f.key for f in sections[0].figures]
    assert keys[:3] == ["strategy.complaints", "strategy.handling_time", "strategy.eservices"]
    assert len(keys) == 9 and all(f.description for f in sections[0].figures)
    assert (await service.figure("strategy.portal_visits", MARCH)).available is False
    assert (await service.figure("calls.test", MARCH)).value == 1.0
    with pytest.raises(UnknownMeasure):
        await service.figure("strategy.nic", MARCH)
    listed, total = await service.drill("cases.closed", MARCH, None, limit=1)
    assert total == 3 and len(listed) == 1
    assert await service.drill("calls.test", MARCH, None, limit=5, offset=2) == ([], 7)
    assert (await service.drill("cases.closed", MARCH, None, limit=10**6))[1] == 3
    boss = Actor("kierownik1", "supervisor")
    assert (await service.drill("residents", MARCH, actor=boss))[1] == 3
    with pytest.raises(DrillRefused) as refused:
        await service.drill("residents", MARCH, actor=Actor("agent1", "agent", ip="10.0.0.5"))
    assert refused.value.status == 403 and "kierownik zmiany" in refused.value.message
    logged = store.run_sync(
        lambda s: [(a.action, a.actor, a.target) for a in s.scalars(select(AuditEntry))]
    )
    assert logged == [("access_refused", "agent1", "dashboard:residents")]


async def test_every_part_drills_down_to_as_many_records_as_it_counts(store: Store) -> None:
    service = DashboardService(store, SETTINGS, "Europe/Warsaw", True)
    (strategy,) = await service.report(MARCH)
    checked = 0
    for f in strategy.figures:
        for p in f.parts:
            if p.drill:
                listed, total = await service.drill(p.drill, MARCH, p.key, limit=500)
                assert (total, len(listed)) == (p.count, p.count), (f.key, p.key)
                checked += 1
    assert checked >= 37  # the parts of the records above (plus seeded categories)
