"""The contact centre's figures, heat map, staffing forecast and drill-downs on SQLite and
PostgreSQL, against hand-made records whose answers are known (``centre_world``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.service import AgentService
from cic.bus import InProcessBus
from cic.cases.models import ContactReport
from cic.config import DashboardSettings, OfficeSettings
from cic.dashboard import centre_drill, contact_centre
from cic.dashboard.centre_rows import drill_row
from cic.dashboard.drill_common import Ask
from cic.dashboard.errors import UnknownMeasure
from cic.dashboard.heatmap import heatmap
from cic.dashboard.period import month
from cic.dashboard.schemas import DrillRow, Figure
from cic.dashboard.service import DashboardService
from cic.dashboard.staffing import forecast, logged_in_now
from cic.db import Store
from cic.residents.models import Resident
from tests.component import centre_world
from tests.component.centre_world import local
from tests.component.test_agent_service import FakePbx

DECEMBER = month(2026, 12)
OFFICE = OfficeSettings()  # 20 s service level, 30 s after-call period, "pierwsza-linia"
DASHBOARD = DashboardSettings()  # 80 %, 7 days, 85 % occupancy


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.migrate()
    store.run_sync(centre_world.build)
    return store


@pytest.fixture
def figures(store: Store) -> dict[str, Figure]:
    found = store.run_sync(lambda s: contact_centre.figures(s, DECEMBER, DASHBOARD, OFFICE))
    return {f.key: f for f in found}


def parts(figure: Figure) -> dict[str, tuple[Any, ...]]:
    """The figure's parts by key without its prefix (``kolejka:``, ``komorka:``...)."""
    return {p.key.split(":", 1)[1]: (p.value, p.previous, p.count) for p in figure.parts}


def test_service_level_abandonment_and_speed_of_answer(figures: dict[str, Figure]) -> None:
    # December offered c1-c8 (c8 entered at 23:59:30 on the 31st); c11 is still waiting,
    # c12 entered in January, c9 in November, c10 was never queued. c5 left within 5 s.
    level = figures["centre.service_level"]
    assert (level.value, level.previous) == (42.9, 100.0)  # 3 of 7; November: c9 at 20 s
    assert parts(level) == {"pierwsza-linia": (33.3, 100.0, 6), "podatki": (100.0, None, 1)}
    assert (level.parts[0].key, level.parts[0].drill) == ("kolejka:pierwsza-linia", "calls.level")
    assert level.unit == "%" and level.higher_is_better is True
    assert "20 s" in level.label and "5 s" in level.description
    abandoned = figures["centre.abandonment"]
    assert (abandoned.value, abandoned.previous) == (25.0, 0.0)  # c5 and c6 of 8
    assert parts(abandoned) == {"pierwsza-linia": (28.6, 0.0, 7), "podatki": (0.0, None, 1)}
    asa = figures["centre.asa"]
    assert (asa.value, asa.previous) == (20.2, 20.0)  # (10 + 30 + 5 + 15 + 41) / 5
    assert parts(asa) == {"pierwsza-linia": (21.5, 20.0, 4), "podatki": (15.0, None, 1)}


def test_daily_series_by_local_day(figures: dict[str, Figure]) -> None:
    level = {p.day.day: p.value for p in figures["centre.service_level"].series}
    assert len(level) == 31
    assert level[1] == 50.0  # c1 in time, c2 late (c5 left within 5 s)
    assert level[2] == 100.0  # c3, c4
    assert level[8] == 0.0  # c6 abandoned, c7 asked for a callback
    assert level[31] == 0.0  # c8 (41 s); c11 still waiting is not counted
    assert level[3] is None  # nothing offered (c10 was a direct call)
    answered = {p.day.day: p.value for p in figures["centre.departments"].series}
    assert (answered[1], answered[2], answered[3], answered[31]) == (2.0, 2.0, 1.0, 1.0)
    assert sum(v or 0 for v in answered.values()) == 6.0
    assert figures["centre.fcr"].series == ()


def test_handling_times_by_topic_and_department(figures: dict[str, Figure]) -> None:
    # talk + 30 s: c1 100, c2 200, c3 300, c4 60, c8 100, c10 90
    by_topic = figures["centre.aht_topic"]
    assert (by_topic.value, by_topic.previous) == (171.7, 80.0)
    assert parts(by_topic) == {
        "odpady": (330.0, 80.0, 1),  # c3 (c2's automatic tag was corrected away)
        "podatki": (130.0, None, 2),  # c1 and c8 (its two spellings count once)
        "woda": (175.0, None, 2),  # c2 (supervisor) and c10 (wrap-up)
    }
    by_department = figures["centre.aht_department"]
    assert parts(by_department) == {
        "-": (120.0, None, 1),  # c10: celina has no department and no queue
        "FN": (183.3, None, 3),  # bartek's c3 and c8, celina's c4 on the FN queue
        "OR": (180.0, 80.0, 2),  # anna's c1, c2 (November: c9)
    }
    assert [p.label for p in by_department.parts] == [
        "bez komórki", "Wydział Finansowy", "Wydział Organizacyjny",
    ]  # fmt: skip
    assert (by_department.parts[1].key, by_department.parts[1].drill) == (
        "komorka:FN", "calls.handled",
    )  # fmt: skip


def test_transfers_callbacks_agents_and_departments(figures: dict[str, Figure]) -> None:
    transfers = figures["centre.transfer_rate"]  # only c3's transfer was completed
    assert (transfers.value, transfers.previous) == (16.7, 0.0)
    assert parts(transfers) == {"-": (0.0, None, 1), "FN": (33.3, None, 3), "OR": (0.0, 0.0, 2)}
    callbacks = figures["centre.callback_success"]
    # December: r1, r5 reached; r2, r7 failed; r3 closed by hand; r4 still open
    assert (callbacks.value, callbacks.previous) == (40.0, 100.0)
    assert parts(callbacks) == {"pierwsza-linia": (25.0, 100.0, 4), "podatki": (100.0, None, 1)}
    assert parts(figures["centre.agents"]) == {
        "anna": (2.0, 1.0, 2), "bartek": (2.0, None, 2), "celina": (2.0, None, 2),
    }  # fmt: skip
    assert [p.label for p in figures["centre.agents"].parts] == [
        "Anna Testowa", "Bartek Próbny", "Celina Wzorcowa",
    ]  # fmt: skip
    assert parts(figures["centre.aht_agent"]) == {
        "anna": (180.0, 80.0, 2), "bartek": (230.0, None, 2), "celina": (105.0, None, 2),
    }  # fmt: skip
    assert parts(figures["centre.transfer_agent"]) == {
        "anna": (0.0, 0.0, 2), "bartek": (50.0, None, 2), "celina": (0.0, None, 2),
    }  # fmt: skip
    assert parts(figures["centre.departments"]) == {
        "-": (1.0, None, 1), "FN": (3.0, None, 3), "OR": (2.0, 1.0, 2),
    }  # fmt: skip


def test_first_contact_resolution_across_channels(figures: dict[str, Figure]) -> None:
    # c1 repeated by e-mail on day 4, c3 in person by the owner of its number, c8 by the
    # January call c12; c2's web-form repeat came on day 8; e1, w1, p1 were not repeated;
    # t1 was written during c1; c4 has no topic; c10's number is withheld.
    fcr = figures["centre.fcr"]
    assert (fcr.value, fcr.previous) == (57.1, 100.0)
    assert parts(fcr) == {
        "email": (100.0, None, 1), "osobiscie": (100.0, None, 1),
        "telefon": (25.0, 100.0, 4), "www": (100.0, None, 1),
    }  # fmt: skip
    assert {p.key: p.drill for p in fcr.parts} == {
        "kanal:email": "contacts", "kanal:osobiscie": "contacts",
        "kanal:telefon": "contacts", "kanal:www": "contacts",
    }  # fmt: skip


def test_a_shorter_window_resolves_more(store: Store) -> None:
    three_days = DashboardSettings(fcr_days=3)
    found = store.run_sync(lambda s: contact_centre.figures(s, DECEMBER, three_days, OFFICE))
    fcr = next(f for f in found if f.key == "centre.fcr")
    assert fcr.value == 71.4  # c1's e-mail came after 3.9 days: only c3 and c8 repeated


def test_the_provider_binds_the_settings(store: Store) -> None:
    provide = contact_centre.provider(DashboardSettings(fcr_days=3), OFFICE)
    found = {f.key: f for f in store.run_sync(lambda s: provide(s, DECEMBER))}
    assert found["centre.fcr"].value == 71.4
    assert (contact_centre.SECTION, contact_centre.TITLE) == ("centre", "Centrum obsługi")


def test_every_figure_is_polish_and_described(figures: dict[str, Figure]) -> None:
    assert len(figures) == 12
    for figure in figures.values():
        assert figure.description and figure.drill
        assert "answered" not in figure.label.lower()


def test_heat_map_by_local_weekday_and_hour(store: Store) -> None:
    found = store.run_sync(lambda s: heatmap(s, DECEMBER))
    assert found.total == 8 and found.max == 5
    assert found.cells[1][9] == 5  # Tuesdays 9:00-9:59: c1, c2, c5 (1 Dec), c6, c7 (8 Dec)
    assert found.cells[2][10] == 2  # Wednesday 2 Dec: c3, c4
    assert found.cells[3][23] == 1  # Thursday 31 Dec, 23:59:30: c8
    assert sum(map(sum, found.cells)) == 8
    assert found.weekdays[0] == "pon" and found.weekdays[6] == "niedz"
    taxes = store.run_sync(lambda s: heatmap(s, DECEMBER, "podatki"))
    assert (taxes.total, taxes.cells[2][10]) == (1, 1)
    empty = store.run_sync(lambda s: heatmap(s, month(2026, 10)))
    assert (empty.total, empty.max) == (0, 0)


def test_staffing_forecast_for_tuesdays(store: Store) -> None:
    now = local("2026-12-08 09:45")
    plan = store.run_sync(
        lambda s: forecast(s, DECEMBER, DASHBOARD, OFFICE, weekday=1, live=3, now=now)
    )
    assert plan.days == 5  # 1, 8, 15, 22, 29 December
    assert plan.aht_seconds == 205.0  # first line: (100 + 200 + 300 + 100) / 4 + 30
    assert (plan.target_share, plan.target_seconds, plan.max_occupancy) == (0.8, 20, 0.85)
    assert plan.live == 3
    nine = plan.hours[9]
    assert nine.calls_per_hour == 1.0  # c1, c2, c5, c6, c7 over 5 Tuesdays
    assert nine.needed is not None and nine.needed.agents == 1
    assert nine.needed.traffic == pytest.approx(205 / 3600)
    # 9:00-10:00: anna 1 h and bartek 0.5 h on 1 Dec, bartek 0.75 h on 8 Dec (until now)
    assert nine.logged_in == 0.45
    assert plan.hours[8].logged_in == 0.3  # anna 0.5 h, bartek 1 h on 1 Dec
    assert plan.hours[0].logged_in == 0.2  # bartek, logged in since 30 November
    assert plan.hours[10].calls_per_hour == 0.0 and plan.hours[10].logged_in == 0.0
    assert plan.hours[10].needed is not None and plan.hours[10].needed.agents == 0


def test_staffing_for_the_average_day_and_without_history(store: Store) -> None:
    now = local("2026-12-08 09:45")
    plan = store.run_sync(lambda s: forecast(s, DECEMBER, DASHBOARD, OFFICE, now=now))
    assert plan.days == 31 and plan.weekday is None
    assert plan.hours[9].calls_per_hour == round(5 / 31, 2)
    assert plan.hours[23].calls_per_hour == round(1 / 31, 2)  # c8
    october = store.run_sync(lambda s: forecast(s, month(2026, 10), DASHBOARD, OFFICE, now=now))
    assert october.aht_seconds is None
    assert all(h.needed is None and h.logged_in is None for h in october.hours)


def _drill(store: Store, key: str, part: str | None) -> list[str]:
    def read(session: Session) -> list[str]:
        source = centre_drill.sources(OFFICE)[key]
        rows, total = source(session, Ask(DECEMBER, part, 500, 0, DASHBOARD))
        assert total == len(rows)
        further, total_again = source(session, Ask(DECEMBER, part, 2, 1, DASHBOARD))
        assert (further, total_again) == (rows[1:3], total)  # a page further on
        return [row.id for row in rows]

    return store.run_sync(read)


@pytest.mark.parametrize(
    ("key", "part", "oldest_first"),
    [
        ("calls.offered", None, ["c1", "c5", "c2", "c3", "c4", "c6", "c7", "c8"]),
        ("calls.level", None, ["c1", "c2", "c3", "c4", "c6", "c7", "c8"]),
        ("calls.answered_slow", None, ["c2", "c6", "c7", "c8"]),
        ("calls.abandoned", "kolejka:pierwsza-linia", ["c5", "c6"]),
        ("calls.answered", "komorka:FN", ["c3", "c4", "c8"]),
        ("calls.answered", "komorka:-", ["c10"]),
        ("calls.answered", "komorka:OR", ["c1", "c2"]),
        ("calls.answered", "konsultant:bartek", ["c3", "c8"]),
        ("calls.handled", "temat:podatki", ["c1", "c8"]),
        ("calls.answered_queued", "kolejka:pierwsza-linia", ["c1", "c2", "c3", "c8"]),
        ("calls.transferred", None, ["c3"]),
        ("callbacks.closed", "kolejka:pierwsza-linia", ["7", "1", "2", "3"]),  # r7 r1 r2 r3
        ("callbacks.failed", None, ["7", "2", "3"]),
        ("contacts.repeated", None, ["c1", "c3", "c8"]),
        ("contacts.repeated", "kanal:telefon", ["c1", "c3", "c8"]),
        ("contacts", None, ["c1", "c2", "c3", "3", "1", "2", "c8"]),  # reports p1, e1, w1
        ("contacts", "kanal:email", ["1"]),
    ],
)
def test_drill_down_lists_the_records_behind_a_figure(
    store: Store, key: str, part: str | None, oldest_first: list[str]
) -> None:
    assert _drill(store, key, part) == oldest_first[::-1]  # newest first


def test_unknown_part_filters_are_refused(store: Store) -> None:
    for key, part in [
        ("calls.answered", "kolor:czerwony"), ("calls.answered", "kolejka"),
        ("callbacks.closed", "komorka:FN"), ("contacts", "kolejka:podatki"),
    ]:  # fmt: skip
        with pytest.raises(UnknownMeasure):
            _drill(store, key, part)


async def test_the_dashboard_service_drills_every_part_to_its_count(store: Store) -> None:
    provider = (contact_centre.SECTION, contact_centre.TITLE,
                contact_centre.provider(DASHBOARD, OFFICE))  # fmt: skip
    service = DashboardService(store, DASHBOARD, "Europe/Warsaw", False, providers=[provider],
                               drills=centre_drill.sources(OFFICE))  # fmt: skip
    *_, centre = await service.report(DECEMBER)
    assert (centre.key, centre.title, len(centre.figures)) == ("centre", "Centrum obsługi", 12)
    checked = 0
    for figure in centre.figures:
        for part in figure.parts:
            listed, total = await service.drill(part.drill, DECEMBER, part.key, limit=500)
            assert (total, len(listed)) == (part.count, part.count), (figure.key, part.key)
            checked += 1
    assert checked == 33  # 2 + 2 + 2 + 3 + 3 + 3 + 2 + 4 + 3 + 3 + 3 + 3
    wholes = {}
    for figure in centre.figures:
        wholes[figure.key] = (await service.drill(figure.drill, DECEMBER, limit=500))[1]
    assert wholes["centre.service_level"] == 7 and wholes["centre.abandonment"] == 8
    assert wholes["centre.fcr"] == 7 and wholes["centre.callback_success"] == 5
    with pytest.raises(UnknownMeasure):
        await service.drill("calls.nothing", DECEMBER)


async def test_the_live_count_comes_from_the_presence_service(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'cic.db'}")
    store.migrate()
    agents = AgentService(store, InProcessBus(), FakePbx(), wrapup_seconds=30)
    await agents.ensure_queue("pierwsza-linia", "Pierwsza linia")
    await agents.ensure_queue("podatki", "Podatki")
    for name, queue in (("anna", "pierwsza-linia"), ("bartek", "pierwsza-linia"),
                        ("celina", "podatki")):  # fmt: skip
        await agents.create_agent(name, name.title(), queues=[queue])
    assert logged_in_now(agents, "pierwsza-linia") == 0
    await agents.login("anna")
    await agents.login("celina")
    assert logged_in_now(agents, "pierwsza-linia") == 1
    await agents.pause("anna", "przerwa")  # paused is still logged in
    await agents.login("bartek")
    assert logged_in_now(agents, "pierwsza-linia") == 2
    await agents.logout("anna")
    assert logged_in_now(agents, "pierwsza-linia") == 1


def test_drill_rows_are_polish_with_local_times(store: Store) -> None:
    def rows(key: str) -> list[DrillRow]:
        ask = Ask(DECEMBER, None, 50, 0, DASHBOARD)
        return store.run_sync(lambda s: centre_drill.sources(OFFICE)[key](s, ask)[0])

    newest = rows("calls.answered_slow")[0]
    assert (newest.kind, newest.id, newest.link) == ("polaczenie", "c8", "/polaczenia/c8")
    assert newest.summary == "31.12.2026 23:59 48500100208: odebrane"
    assert dict(newest.extra) == {
        "Kolejka": "pierwsza-linia", "Konsultant": "bartek", "Oczekiwanie": "41 s",
        "Rozmowa": "100 s",
    }  # fmt: skip
    failed = rows("callbacks.failed")[-1]
    assert (failed.kind, failed.link) == ("oddzwonienie", "/nadzor")
    assert failed.summary == "01.12.2026 00:10 600100200: nieudane"
    woda = select(ContactReport).where(ContactReport.topic == "woda")
    report = store.run_sync(lambda s: drill_row(s.scalars(woda).one(), "Europe/Warsaw"))
    assert report.summary == "09.12.2026 09:41 formularz www: woda"


def test_a_merged_resident_record_is_the_same_resident(store: Store) -> None:
    def merged_duplicate(session: Session) -> None:
        jan = session.scalars(select(Resident).where(Resident.name == "Jan Testowy")).one()
        duplicate = Resident(name="Jan Testowy (duplikat)", merged_into=jan.id)
        session.add(duplicate)
        session.flush()
        # five days after Jan's e-mail e1, at the desk, filed under the merged duplicate
        at = local("2026-12-10 10:00")
        session.add(ContactReport(topic="podatki", channel="osobiscie", resident_id=duplicate.id,
                                  created_by="anna", created_at=at))  # fmt: skip

    store.run_sync(merged_duplicate)
    found = store.run_sync(lambda s: contact_centre.figures(s, DECEMBER, DASHBOARD, OFFICE))
    fcr = next(f for f in found if f.key == "centre.fcr")
    assert fcr.value == 50.0  # c2, w1, p1 and the new report of 8 contacts; e1 now repeated
    assert parts(fcr)["email"] == (0.0, None, 1)
