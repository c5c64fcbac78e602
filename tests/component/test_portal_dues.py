"""Dues through a real store (SQLite and PostgreSQL) and a real portal server: the import is
idempotent and a snapshot per payer, the lookup shows the items and the payment code with the
right PIN only, and wrong PINs are throttled per payer number and per client address."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cic.cases.pins import check_pin
from cic.config import Settings
from cic.db import Store
from cic.dues import fileformat, importer, qr, views
from cic.dues.models import DuesItem, DuesPayer
from cic.dues.payment import Payee
from cic.dues.service import DuesLookup
from tests.component.portal_world import PortalWorld, portal_client

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "dues"
PAYEE = Payee("Urząd Gminy Testowo", "1111111111")
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # rata I (15.03) overdue, rata II (15.05) not
PATH = "/e-urzad/naleznosci"
ACCOUNT_A = "42102055610000300200000101"


def parse(data: bytes) -> fileformat.ParsedFile:
    return fileformat.parse(data, max_bytes=10**7, max_rows=1000)


def sample(name: str = "przyklad.csv") -> bytes:
    return (SAMPLES / name).read_bytes()


def rows(store: Store) -> list[tuple[object, ...]]:
    def read(s: object) -> list[tuple[object, ...]]:
        items = [(i.item_id, i.payer, i.title, i.amount, i.paid, i.due, i.account,
                  i.transfer_title, i.updated_at) for i in s.scalars(select(DuesItem))]  # type: ignore[attr-defined]  # fmt: skip
        payers = [(p.number, p.pin_hash, p.initials, p.updated_at)
                  for p in s.scalars(select(DuesPayer))]  # type: ignore[attr-defined]  # fmt: skip
        return sorted(items) + sorted(payers)

    return store.run_sync(read)  # type: ignore[arg-type]


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.migrate()
    return s


def test_loading_the_same_file_twice_changes_nothing(store: Store) -> None:
    first = importer.load(store, parse(sample()))
    assert (first.added, first.changed, first.unchanged, first.removed) == (4, 0, 0, 0)
    assert first.payers == 2 and first.rejected == []
    before = rows(store)
    again = importer.load(store, parse(sample()))
    assert (again.added, again.changed, again.unchanged, again.removed) == (0, 0, 4, 0)
    assert rows(store) == before  # the PIN hashes and the times too
    # The XML form of the same items is the same snapshot.
    xml = importer.load(store, parse(sample("przyklad.xml")))
    assert (xml.added, xml.changed, xml.unchanged) == (0, 0, 4) and rows(store) == before


def test_a_later_import_replaces_the_items_of_the_payers_it_contains(store: Store) -> None:
    importer.load(store, parse(sample()))
    header, *lines = sample().decode().splitlines()
    paid_off = lines[1].replace(";250,00;;", ";250,00;250,00;")
    later = "\n".join([header, paid_off]).encode()  # A-0001: only rata II (now paid)
    report = importer.load(store, parse(later))
    assert (report.added, report.changed, report.unchanged, report.removed) == (0, 1, 0, 2)
    items = {r[0]: r for r in rows(store) if len(r) == 9}
    assert set(items) == {"PN-2026-0001-2", "PR-2026-0002-1"}  # B-0002 was not in the file
    assert items["PN-2026-0001-2"][4] == 25000


def test_a_rejected_row_keeps_its_payers_earlier_items(store: Store) -> None:
    importer.load(store, parse(sample()))
    header, *lines = sample().decode().splitlines()
    broken = lines[2].replace(";96,00;", ";96,0O;")  # A-0001's odpady: a letter O
    report = importer.load(store, parse("\n".join([header, lines[1], broken]).encode()))
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [(3, "zła kwota „96,0O”")]
    assert report.removed == 0 and report.unchanged == 1
    assert len([r for r in rows(store) if len(r) == 9]) == 4


def test_a_new_pin_replaces_the_old_one(store: Store) -> None:
    importer.load(store, parse(sample()))
    text = sample().decode().replace(";90210;", ";55555;")
    report = importer.load(store, parse(text.encode()))
    assert (report.changed, report.unchanged) == (0, 4)  # items same, the payer's PIN new
    hashes = {r[0]: r[1] for r in rows(store) if len(r) == 4}
    stored = str(hashes["B-0002"])
    assert check_pin(stored, "55555") and not check_pin(stored, "90210")


@dataclass
class DuesWorld:
    world: PortalWorld
    lookup: DuesLookup
    clock: list[datetime]

    async def ask(self, payer: str, pin: str, ip: str = "203.0.113.7") -> tuple[int, str]:
        token = await self.world.token(PATH)
        answer = await self.world.post(
            PATH, {"form_token": token, "platnik": payer, "pin": pin}, ip=ip
        )
        return answer.status, await answer.text()


@pytest.fixture
async def dues(store: Store) -> AsyncIterator[DuesWorld]:
    importer.load(store, parse(sample()))
    clock = [NOW]
    lookup = DuesLookup(store, clock=lambda: clock[0])
    settings = Settings()
    settings.portal.lookups_per_hour = 1000

    def add(app: object, portal: object) -> None:
        app.add_routes(views.routes(lookup, portal, PAYEE))  # type: ignore[attr-defined,arg-type]

    async with portal_client(store, settings, add=add) as world:
        yield DuesWorld(world, lookup, clock)
    await store.close()


async def test_the_form_is_polish_labelled_and_keeps_nothing_in_the_url(dues: DuesWorld) -> None:
    status, body = await dues.world.get(PATH)
    assert status == 200
    assert '<label for="pole-platnik">' in body and '<label for="pole-pin">' in body
    assert 'method="post" action="/e-urzad/naleznosci"' in body and "<script" not in body


async def test_the_right_pin_shows_the_items_the_transfer_and_the_code(dues: DuesWorld) -> None:
    status, body = await dues.ask(" a-0001 ", "4711")
    assert status == 200, body
    assert "Podatek od nieruchomości 2026, rata II" in body
    assert "Opłata za odpady komunalne, grudzień 2026" in body
    assert "PR-2026" not in body and "Podatek rolny" not in body  # another payer's item
    assert "Anna" not in body and "Testowska" not in body and "(A. T.)" in body
    assert "zaległe" not in body  # rata I is paid, nothing else is past its date
    assert body.count('class="qr"') == 2  # rata II and odpady; rata I is paid
    assert "42 1020 5561 0000 3002 0000 0101" in body
    assert "346,00\u00a0zł" in body  # the total: 250 + 96
    expected = (
        f"1111111111|PL|{ACCOUNT_A}|025000|Urząd Gminy Testowo|A-0001 podatek od nier. rata II|||"
    )
    assert qr.svg_data_uri(expected) in body.replace("&amp;", "&").replace("&#39;", "'")


async def test_an_item_past_its_date_is_marked_overdue(dues: DuesWorld) -> None:
    status, body = await dues.ask("B-0002", "90210")
    assert status == 200
    assert "zaległe — termin minął" in body and "1\u00a0234,56\u00a0zł" in body
    assert "(G. R.)" in body and "Gospodarstwo" not in body


async def test_a_wrong_pin_and_an_unknown_payer_get_the_same_answer(dues: DuesWorld) -> None:
    wrong = await dues.ask("A-0001", "8642")
    unknown = await dues.ask("Z-9999", "4711")
    assert wrong[0] == unknown[0] == 400
    message = "Nie znaleźliśmy należności dla tego numeru płatnika i PIN-u."
    assert message in wrong[1] and message in unknown[1]
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong[1]) == strip.sub("", unknown[1])  # only typed values differ
    assert "Podatek" not in wrong[1] and "A. T." not in wrong[1]
    assert 'aria-invalid="true"' in wrong[1] and 'href="#pole-platnik"' in wrong[1]
    assert "8642" not in wrong[1]  # the PIN is never shown again


async def test_wrong_pins_lock_the_payer_number_from_any_address(dues: DuesWorld) -> None:
    for n in range(9):  # nine wrong ones from nine addresses (the back-off waits in between)
        status, _ = await dues.ask("A-0001", f"99{n:02d}", ip=f"198.51.100.{n + 1}")
        assert status == 400
        dues.clock[0] += timedelta(minutes=2)
    status, body = await dues.ask("A-0001", "4711", ip="198.51.100.200")
    assert status == 429 and "Zbyt wiele błędnych prób" in body and "Podatek" not in body
    status, _ = await dues.ask("B-0002", "90210", ip="198.51.100.200")
    assert status == 200  # another payer from a fresh address is not affected
    dues.clock[0] += timedelta(hours=1, minutes=1)
    status, _ = await dues.ask("A-0001", "4711", ip="198.51.100.201")
    assert status == 200


async def test_wrong_pins_lock_the_address_whatever_payer_it_tries(dues: DuesWorld) -> None:
    for n in range(3):
        status, _ = await dues.ask(f"X-{n}", "1234")
        assert status == 400
    status, body = await dues.ask("A-0001", "4711")  # the back-off after three wrong ones
    assert status == 429 and "s albo zadzwoń" in body
    for n in range(6):
        dues.clock[0] += timedelta(minutes=2)
        assert (await dues.ask(f"Y-{n}", "1234"))[0] == 400
    dues.clock[0] += timedelta(minutes=2)
    status, _ = await dues.ask("A-0001", "4711")
    assert status == 429  # locked for an hour, even with the right PIN
    status, _ = await dues.ask("A-0001", "4711", ip="203.0.113.99")
    assert status == 200


async def test_the_portal_limit_per_address_applies(store: Store) -> None:
    importer.load(store, parse(sample()))
    settings = Settings()
    settings.portal.lookups_per_hour = 2
    lookup = DuesLookup(store, clock=lambda: NOW)

    def add(app: object, portal: object) -> None:
        app.add_routes(views.routes(lookup, portal, PAYEE))  # type: ignore[attr-defined,arg-type]

    async with portal_client(store, settings, add=add) as world:
        d = DuesWorld(world, lookup, [NOW])
        assert (await d.ask("A-0001", "4711"))[0] == 200
        assert (await d.ask("A-0001", "4711"))[0] == 200
        status, body = await d.ask("A-0001", "4711")
        assert status == 429 and "Zbyt wiele sprawdzeń z tego adresu" in body
    await store.close()


async def test_a_form_without_its_token_or_fields_is_refused(dues: DuesWorld) -> None:
    answer = await dues.world.post(PATH, {"platnik": "A-0001", "pin": "4711"})
    body = await answer.text()
    assert answer.status == 400 and "Formularz wygasł" in body and "Podatek" not in body
    token = await dues.world.token(PATH)
    answer = await dues.world.post(PATH, {"form_token": token, "platnik": "", "pin": ""})
    body = await answer.text()
    assert answer.status == 400 and "wpisz numer płatnika" in body and "wpisz PIN" in body
    assert 'id="pole-pin" name="pin"' in body and 'aria-describedby="opis-pin blad-pin"' in body
