"""The dashboard's routes in the real ``create_app`` on SQLite and PostgreSQL: who may open
them (the management only them), the period's Polish errors, the drill-down, and the CSV and
XLSX files read back and compared with the JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import users
from cic.auth.models import AuditEntry
from cic.calls.models import Call
from cic.cases.models import ContactReport
from cic.config import load_settings
from cic.dashboard.pdf import browser
from cic.web.app import SERVICES, create_app
from tests.integration.harness import free_port

Client = TestClient[Any, Any]
PASSWORD = "haslo-testowe-12"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
OCTOBER = "miesiac=2026-10"
# Reports (channel, topic, created at UTC): 4 in October 2026, 2 in September.
REPORTS = [
    ("www", "odpady", datetime(2026, 10, 1, 8, 0, tzinfo=UTC)),
    ("www", "drogi", datetime(2026, 10, 5, 9, 30, tzinfo=UTC)),
    ("osobiscie", "=SUMA(A1)", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
    ("email", "podatki", datetime(2026, 10, 31, 23, 30, tzinfo=UTC)),  # 1 Nov 00:30 in Warsaw
    ("telefon", "odpady", datetime(2026, 10, 31, 22, 0, tzinfo=UTC)),  # 31 Oct 23:00 local
    ("osobiscie", "drogi", datetime(2026, 9, 10, 10, 0, tzinfo=UTC)),
    ("telefon", "podatki", datetime(2026, 9, 30, 21, 59, tzinfo=UTC)),  # 30 Sep 23:59 local
]
# First-line calls (entered UTC, waited s, talked s): Tuesday 6 Oct 9:xx local twice (one
# abandoned), Friday 30 Oct 23:50 local once.
CALLS = [
    (datetime(2026, 10, 6, 7, 10, tzinfo=UTC), 10.0, 100.0),
    (datetime(2026, 10, 6, 7, 40, tzinfo=UTC), 30.0, None),
    (datetime(2026, 10, 30, 22, 50, tzinfo=UTC), 5.0, 200.0),
]


@pytest.fixture
async def client(db_url: str, tmp_path: Path) -> AsyncIterator[Client]:
    settings = load_settings(environ={
        "CIC_STATE_DIR": str(tmp_path),
        "CIC_DATABASE_URL": db_url,
        "CIC_ASTERISK__AMI_PORT": str(free_port()),  # nothing listens: AMI stays down
        "CIC_ASTERISK__AGI_PORT": str(free_port()),
        "CIC_ASTERISK__INSTANCE": "dashboard-test",
        "CIC_OFFICE__NAME": "Urząd Gminy Testowo",
    })  # fmt: skip
    app: web.Application = create_app(settings)
    async with TestClient(TestServer(app, host="127.0.0.1")) as made:

        def seed(db: Session) -> None:
            for name, role in (("wojt", "management"), ("szef", "supervisor"),
                               ("agentka", "agent"), ("root", "admin")):  # fmt: skip
                users.add(db, name, f"Osoba {name}", role, PASSWORD, now=NOW)
            for channel, topic, at in REPORTS:
                db.add(ContactReport(topic=topic, channel=channel, created_by="agentka",
                                     created_at=at, updated_at=at))  # fmt: skip
            for n, (at, wait, talk) in enumerate(CALLS):
                answered = at + timedelta(seconds=wait) if talk else None
                db.add(Call(call_id=f"1791300000.{n}", caller_number="48500100200",
                            entered_at=at, queued_at=at, answered_at=answered,
                            queue="pierwsza-linia", wait_seconds=wait, talk_seconds=talk,
                            outcome="answered" if talk else "abandoned"))  # fmt: skip

        await app[SERVICES].store.run(seed)
        yield made


async def sign_in(client: Client, username: str) -> None:
    client.session.cookie_jar.clear()
    response = await client.post(
        "/logowanie", data={"username": username, "password": PASSWORD},
        headers={"Origin": str(client.make_url("")).rstrip("/")}, allow_redirects=False,
    )  # fmt: skip
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == {"wojt": "/wskazniki"}.get(
        username, response.headers["Location"]
    )


async def report(client: Client, query: str = OCTOBER) -> dict[str, Any]:
    response = await client.get(f"/api/wskazniki?{query}")
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


def figure(body: dict[str, Any], key: str) -> dict[str, Any]:
    found = [f for s in body["sections"] for f in s["figures"] if f["key"] == key]
    assert len(found) == 1, key
    return found[0]


def part(found: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in found["parts"] if p["key"] == key)


async def test_management_sees_the_dashboard_and_nothing_else(client: Client) -> None:
    await sign_in(client, "wojt")
    page = await client.get(f"/wskazniki?{OCTOBER}")
    text = await page.text()
    assert page.status == 200
    assert "Wskaźniki: październik 2026" in text and "Urząd Gminy Testowo" in text
    assert 'href="/sprawy"' not in text and 'href="/konsola"' not in text  # nav: only its pages
    for path in ("/sprawy", "/konsola", "/", "/nadzor", "/przeglad", "/api/status",
                 "/api/calls", "/api/review/calls", "/bezpieczenstwo"):  # fmt: skip
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
    for path in (f"/wskazniki/raport?{OCTOBER}", f"/wskazniki/eksport.csv?{OCTOBER}",
                 "/api/auth/me"):  # fmt: skip
        assert (await client.get(path)).status == 200, path


async def test_agents_are_refused_supervisors_and_admins_let_in(client: Client) -> None:
    await sign_in(client, "agentka")
    for path in ("/wskazniki", "/api/wskazniki", f"/wskazniki/eksport.xlsx?{OCTOBER}",
                 "/wskazniki/raport", "/wskazniki/strategy.complaints"):  # fmt: skip
        response = await client.get(path, allow_redirects=False)
        assert response.status == 403, path
    refused = await client.get("/api/wskazniki")
    assert (await refused.json())["error"] == "forbidden"
    for name in ("szef", "root"):
        await sign_in(client, name)
        assert (await client.get(f"/wskazniki?{OCTOBER}")).status == 200, name


async def test_bad_period_is_a_polish_400_and_an_unknown_key_a_404(client: Client) -> None:
    await sign_in(client, "wojt")
    bad = await client.get("/api/wskazniki?miesiac=2026-13")
    assert bad.status == 400
    assert await bad.json() == {"error": "invalid_period",
                                "message": "miesiąc musi być liczbą od 1 do 12"}  # fmt: skip
    backwards = await client.get("/api/wskazniki?od=2026-10-10&do=2026-10-01")
    assert (await backwards.json())["message"] == "koniec okresu jest przed jego początkiem"
    page = await client.get("/wskazniki?od=10.10.2026")
    assert page.status == 400
    assert "Nieprawidłowy okres: datę podaj jako RRRR-MM-DD" in await page.text()
    missing = await client.get(f"/api/wskazniki/brak.takiego?{OCTOBER}")
    assert missing.status == 404
    assert await missing.json() == {"error": "unknown_measure",
                                    "message": "Nie ma takiego wskaźnika."}  # fmt: skip
    assert (await client.get(f"/wskazniki/brak.takiego?{OCTOBER}")).status == 404
    for page_number in ("0", "²", "1" * 5000, "-1"):
        paged = await client.get(
            f"/api/wskazniki/strategy.complaints?{OCTOBER}&strona={page_number}"
        )
        assert paged.status == 400, page_number
    for edge in ("miesiac=0000-01", "od=0001-01-01&do=0001-01-02", "od=9999-12-31&do=9999-12-31"):
        far = await client.get(f"/api/wskazniki?{edge}")
        assert (far.status, (await far.json())["message"]) == (
            400, "okres musi mieścić się w latach 1900–2999",
        ), edge  # fmt: skip


async def test_figures_and_drill_down_count_the_october_reports(client: Client) -> None:
    await sign_in(client, "wojt")
    body = await report(client)
    assert body["period"]["label"] == "październik 2026"
    assert body["period"]["previous_label"] == "wrzesień 2026"
    reports = part(figure(body, "strategy.complaints"), "zgloszenia")
    # 4 in October in Warsaw (the e-mail at 23:30 UTC on 31 Oct is 1 Nov), 2 in September
    assert (reports["value"], reports["previous"], reports["count"]) == (4.0, 2.0, 4)
    # The records behind it are residents' data: refused to the management (and audited).
    refused = await client.get(f"/api/wskazniki/strategy.complaints?{OCTOBER}&czesc=zgloszenia")
    assert refused.status == 403
    assert (await refused.json())["error"] == "dashboard_drill_refused"
    page = await client.get(f"/wskazniki?{OCTOBER}")
    assert "/wskazniki/strategy.complaints?" not in await page.text()  # no links to them
    await sign_in(client, "szef")
    drill = await client.get(f"/api/wskazniki/strategy.complaints?{OCTOBER}&czesc=zgloszenia")
    listed = await drill.json()
    assert drill.status == 200 and listed["total"] == 4 and len(listed["rows"]) == 4
    assert listed["part"] == reports["label"] and listed["period"]["label"] == "październik 2026"
    text = await (
        await client.get(f"/wskazniki/strategy.complaints?{OCTOBER}&czesc=zgloszenia")
    ).text()
    assert 'class="drill-total">4<' in text
    assert all(f'href="{row["link"]}"' in text for row in listed["rows"])

    def refusals(db: Session) -> list[str]:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.actor == "wojt")).all()
        return [r.action for r in rows]

    assert "access_refused" in await client.app[SERVICES].store.run(refusals)


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell.replace(",", "."))


async def test_csv_and_xlsx_match_the_json(client: Client) -> None:
    await sign_in(client, "wojt")
    body = await report(client)
    response = await client.get(f"/wskazniki/eksport.csv?{OCTOBER}")
    assert response.status == 200
    assert 'filename="wskazniki_2026-10.csv"' in response.headers["Content-Disposition"]
    raw = await response.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    figures = [f for s in body["sections"] for f in s["figures"]]
    whole = [r for r in rows if r["Część"] == ""]
    assert [r["Klucz"] for r in whole] == [f["key"] for f in figures]
    for row, f in zip(whole, figures, strict=True):
        assert row["Wskaźnik"] == f["label"] and row["Jednostka"] == f["unit"]
        assert _number(row["Wartość"]) == pytest.approx(f["value"])
        assert _number(row["Okres poprzedni"]) == pytest.approx(f["previous"])
        assert row["Uwagi"] == ("" if f["available"] else f["note"])
    complaints = figure(body, "strategy.complaints")
    reports = part(complaints, "zgloszenia")
    got = next(r for r in rows if r["Klucz"] == "strategy.complaints"
               and r["Część"] == reports["label"])  # fmt: skip
    assert (got["Wartość"], got["Okres poprzedni"], got["Zmiana"], got["Liczba rekordów"]) == (
        "4", "2", "2", "4",
    )  # fmt: skip

    xlsx = await client.get(f"/wskazniki/eksport.xlsx?{OCTOBER}")
    assert 'filename="wskazniki_2026-10.xlsx"' in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(await xlsx.read()))
    assert book.sheetnames == [*(s["title"][:31] for s in body["sections"]), "Serie dzienne"]
    sheet = book[body["sections"][0]["title"][:31]]
    table = list(sheet.iter_rows(values_only=True))
    assert table[2][:6] == ("Wskaźnik", "Klucz", "Jednostka", "Wartość", "Okres poprzedni",
                            "Zmiana")  # fmt: skip
    listed = {r[1]: r for r in table[3:] if r[1] and str(r[1]).startswith("strategy.")}
    for f in body["sections"][0]["figures"]:
        assert listed[f["key"]][3] == pytest.approx(f["value"]) if f["value"] is not None \
            else listed[f["key"]][3] is None  # fmt: skip
    parts = [r for r in table if r[1] == reports["label"]]
    assert parts and parts[0][2:6] == (4, 2, 2, 4)
    series = list(book["Serie dzienne"].iter_rows(values_only=True))
    assert series[0][0] == "Dzień" and len(series) == 1 + 31  # every October day
    formulas = [c for row in book.worksheets for r in row.iter_rows() for c in r
                if isinstance(c.value, str) and c.value.startswith("=")]  # fmt: skip
    assert formulas == []


async def test_drill_csv_guards_formulas_and_lists_every_record(client: Client) -> None:
    await sign_in(client, "szef")
    response = await client.get(
        f"/wskazniki/strategy.complaints/eksport.csv?{OCTOBER}&czesc=zgloszenia"
    )
    assert response.status == 200
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert rows[0][:5] == ["Rodzaj", "Identyfikator", "Kiedy", "Opis", "Adres strony"]
    assert len(rows) == 1 + 4
    assert not any(cell.startswith(("=", "+", "@")) for row in rows[1:] for cell in row)


async def test_council_report_says_what_changed(client: Client) -> None:
    await sign_in(client, "wojt")
    page = await client.get(f"/wskazniki/raport?{OCTOBER}")
    text = await page.text()
    assert page.status == 200
    assert "Raport miesięczny dla rady gminy: październik 2026" in text
    assert "Urząd Gminy Testowo" in text and "względem września" in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_council_report_as_pdf(client: Client) -> None:
    if browser() is None:
        pytest.skip("no chromium to print with")
    await sign_in(client, "wojt")
    response = await client.get(f"/wskazniki/raport.pdf?{OCTOBER}")
    assert response.status == 200 and response.content_type == "application/pdf"
    assert 'filename="raport_rada_2026-10.pdf"' in response.headers["Content-Disposition"]
    assert (await response.read()).startswith(b"%PDF-")


async def test_heat_map_and_staffing_of_the_first_line(client: Client) -> None:
    await sign_in(client, "wojt")
    body = await report(client, OCTOBER + "&dzien=1")
    cells = body["heatmap"]["cells"]
    assert body["heatmap"]["total"] == 3 and body["heatmap"]["max"] == 2
    assert cells[1][9] == 2 and cells[4][23] == 1  # Tuesday 9:00, Friday 23:00 (local)
    plan = body["staffing"]
    assert (plan["weekday"], plan["days"]) == (1, 4)  # the Tuesdays of October 2026
    assert plan["hours"][9]["calls_per_hour"] == 0.5  # two calls over four Tuesdays
    assert plan["hours"][9]["agents_needed"] == 1
    page = await client.get(f"/wskazniki?{OCTOBER}&dzien=1")
    text = await page.text()
    assert '<td class="heat-5">2</td>' in text and '<td class="heat-3">1</td>' in text
    assert "Wtorek (4 dni w okresie)" in text and "Średni czas obsługi: 180 s" in text
    assert (await client.get(f"/wskazniki?{OCTOBER}&dzien=7")).status == 400
    centre = next(s for s in body["sections"] if s["key"] == "centre")
    assert centre["title"] == "Centrum obsługi" and centre["figures"]


async def test_the_contact_centres_records(client: Client) -> None:
    await sign_in(client, "szef")
    body = await report(client)
    abandoned = figure(body, "centre.abandonment")
    assert abandoned["value"] == 33.3 and abandoned["drill"]  # one of three, rounded
    # A share's records are the calls it is a share of: the three offered, the one abandoned
    # among them marked as such.
    listed = await (await client.get(f"/api/wskazniki/centre.abandonment?{OCTOBER}")).json()
    assert listed["total"] == 3
    assert sorted(r["id"] for r in listed["rows"]) == [f"1791300000.{n}" for n in range(3)]
    left = [r for r in listed["rows"] if "porzucone" in r["summary"].lower()]
    assert [r["id"] for r in left] == ["1791300000.1"]
    queue = part(abandoned, next(p["key"] for p in abandoned["parts"] if p["drill"]))
    by_queue = await client.get(f"/api/wskazniki/centre.abandonment?{OCTOBER}&czesc={queue['key']}")
    assert (await by_queue.json())["total"] == queue["count"] == 3
    answered = await (await client.get(f"/api/wskazniki/centre.asa?{OCTOBER}")).json()
    assert sorted(r["id"] for r in answered["rows"]) == ["1791300000.0", "1791300000.2"]
