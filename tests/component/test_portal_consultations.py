"""Commenting on a consultation through the portal's real server (SQLite and PostgreSQL):
the form's token, the office's name rules, the period, odd input, the hourly limit, and what
the public pages show (and do not) while a consultation runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.component.consultation_world import (
    ConsultationWorld,
    consultation_client,
    consultation_settings,
)

PAGE = "/e-urzad/konsultacje/plan-dabrowa"
TEXT = "Proszę przesunąć plac zabaw bliżej szkoły."


@pytest.fixture
async def world(db_url: str, tmp_path: Path) -> AsyncIterator[ConsultationWorld]:
    async with consultation_client(db_url, tmp_path / "files") as world:
        yield world


async def test_a_comment_is_taken_numbered_and_thanked(world: ConsultationWorld) -> None:
    await world.consultation()
    answer = await world.send("plan-dabrowa", text=TEXT, solectwo="Dąbrowa",
                              name="Jan Przykładowy", consent="1")  # fmt: skip
    assert answer.status == 303, await answer.text()
    assert answer.headers["Location"] == f"{PAGE}/dziekujemy?nr=1"
    status, thanks = await world.web.get(answer.headers["Location"])
    assert status == 200 and 'id="numer-uwagi">1<' in thanks and "Dziękujemy" in thanks
    second = await world.send("plan-dabrowa", text="Druga uwaga.")
    assert second.headers["Location"].endswith("?nr=2")
    stored = world.comments()
    assert [(c.number, c.name, c.solectwo) for c in stored] == [
        (1, "Jan Przykładowy", "Dąbrowa"), (2, "", ""),
    ]  # fmt: skip
    assert stored[0].text == TEXT and "opublikowanie" in stored[0].name_consent
    assert stored[1].name_consent == ""  # no name: no consent kept


async def test_the_page_shows_the_period_documents_and_a_labelled_form(
    world: ConsultationWorld,
) -> None:
    await world.consultation()
    status, body = await world.web.get(PAGE)
    assert status == 200 and '<html lang="pl">' in body
    assert "<strong>plac zabaw</strong>" in body and "<script>alert" not in body
    assert "&lt;script&gt;" in body  # raw HTML in the description is shown, not run
    for field in ("text", "name", "solectwo"):
        assert f'<label for="pole-{field}"' in body
    assert 'name="form_token"' in body and "Zalesie Górne" in body
    listing = (await world.web.get("/e-urzad/konsultacje"))[1]
    assert "Trwające konsultacje" in listing and "Plan dla wsi Dąbrowa" in listing


@pytest.mark.parametrize("token", ["", "v1.1.abc.def", "zmyślony"])
async def test_a_bad_or_missing_token_is_refused_and_the_text_kept(
    world: ConsultationWorld, token: str
) -> None:
    await world.consultation()
    answer = await world.web.post(f"{PAGE}/uwagi", {"form_token": token, "text": TEXT})
    body = await answer.text()
    assert answer.status == 400 and "Formularz wygasł albo jest nieważny" in body
    assert TEXT in body  # typed text shown again
    assert world.comments() == []


async def test_a_form_sent_twice_is_one_comment(world: ConsultationWorld) -> None:
    await world.consultation()
    token = await world.web.token(PAGE)
    first = await world.web.post(f"{PAGE}/uwagi", {"form_token": token, "text": TEXT})
    again = await world.web.post(f"{PAGE}/uwagi", {"form_token": token, "text": TEXT})
    assert first.status == 303 and again.status == 400
    assert "została już wysłana" in await again.text()
    assert len(world.comments()) == 1


async def test_too_long_text_is_refused_with_the_limit(world: ConsultationWorld) -> None:
    await world.consultation()
    answer = await world.send("plan-dabrowa", text="a" * 5001)
    body = await answer.text()
    assert answer.status == 400 and "najwyżej 5000 znaków (wpisano 5001)" in body
    assert 'aria-invalid="true"' in body and 'href="#pole-text"' in body
    assert 'aria-describedby="pole-text-opis pole-text-blad"' in body
    empty = await world.send("plan-dabrowa", text="   ")
    assert empty.status == 400 and "Wpisz treść uwagi." in await empty.text()
    assert world.comments() == []


async def test_a_required_name_needs_the_name_and_the_consent(world: ConsultationWorld) -> None:
    await world.consultation(names="required")
    assert "uwagi są imienne" in (await world.web.get(PAGE))[1]
    nameless = await world.send("plan-dabrowa", text=TEXT)
    assert nameless.status == 400 and "Podaj imię i nazwisko" in await nameless.text()
    no_consent = await world.send("plan-dabrowa", text=TEXT, name="Anna Testowa")
    body = await no_consent.text()
    assert no_consent.status == 400 and "Zaznacz zgodę" in body and "Anna Testowa" in body
    ok = await world.send("plan-dabrowa", text=TEXT, name="Anna Testowa", consent="1")
    assert ok.status == 303
    assert [c.name for c in world.comments()] == ["Anna Testowa"]


async def test_with_no_names_a_name_sent_anyway_is_not_stored(world: ConsultationWorld) -> None:
    await world.consultation(names="none")
    body = (await world.web.get(PAGE))[1]
    assert 'name="name"' not in body and "uwagi są anonimowe" in body
    answer = await world.send("plan-dabrowa", text=TEXT, name="Jan Przykładowy", consent="1")
    assert answer.status == 303
    assert [(c.name, c.name_consent) for c in world.comments()] == [("", "")]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(2, 9, "jeszcze się nie rozpoczęła"), (-9, -1, "została zakończona")],
)
async def test_outside_the_period_a_comment_is_refused_in_polish(
    world: ConsultationWorld, start: int, end: int, message: str
) -> None:
    await world.consultation(start=start, end=end)
    status, body = await world.web.get(PAGE)
    assert status == 200 and 'name="text"' not in body  # no form to fill
    token = world.web.portal.messages.token()
    answer = await world.web.post(f"{PAGE}/uwagi", {"form_token": token, "text": TEXT})
    body = await answer.text()
    assert answer.status == 409 and message in body and TEXT in body
    assert world.comments() == []


async def test_the_last_day_still_takes_comments(world: ConsultationWorld) -> None:
    await world.consultation(start=0, end=0)
    assert (await world.send("plan-dabrowa", text=TEXT)).status == 303


ODD = [
    "Cytat: \"plac\" i 'boisko' — „ogród” ‚x’",
    "'; DROP TABLE consultation_comments; --",
    "$(rm -rf /) `reboot` && echo | cat /etc/passwd > /tmp/x",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    '=HYPERLINK("http://zla-strona.example")',
    "Zażółć gęślą jaźń\r\n\ttabulator\u200b",
]


async def test_odd_input_is_kept_verbatim_and_shown_escaped(world: ConsultationWorld) -> None:
    consultation = await world.consultation()
    for n, text in enumerate(ODD):
        answer = await world.send("plan-dabrowa", text=text, name=f"O'Brien \"{n}\"",
                                  consent="1")  # fmt: skip
        assert answer.status == 303, await answer.text()
    stored = world.comments()
    assert [c.text for c in stored] == [t.strip() for t in ODD]
    assert stored[0].name == 'O\'Brien "0"'
    await world.close(consultation)
    await world.service.publish_report(consultation, "", "redaktor-ewa")
    status, report = await world.web.get(f"{PAGE}/raport")
    assert status == 200
    assert "<script>alert" not in report and "&lt;script&gt;alert(" in report
    assert "O&#39;Brien &#34;0&#34;" in report


async def test_a_300_character_name_is_refused(world: ConsultationWorld) -> None:
    await world.consultation()
    answer = await world.send("plan-dabrowa", text=TEXT, name="Ż" * 300, consent="1")
    body = await answer.text()
    assert answer.status == 400 and "najwyżej 120 znaków" in body
    assert 'aria-invalid="true"' in body and world.comments() == []


async def test_a_solectwo_or_document_not_on_the_list_is_refused(
    world: ConsultationWorld,
) -> None:
    await world.consultation()
    answer = await world.send("plan-dabrowa", text=TEXT, solectwo="Atlantyda", document="999")
    body = await answer.text()
    assert answer.status == 400 and "Wybierz sołectwo z listy." in body
    assert "Wybierz dokument z listy." in body


async def test_an_unknown_consultation_is_a_portal_404(world: ConsultationWorld) -> None:
    for path in (
        "/e-urzad/konsultacje/nie-ma",
        "/e-urzad/konsultacje/Zła%20nazwa",
        "/e-urzad/konsultacje/nie-ma/raport",
        "/e-urzad/konsultacje/x/dokumenty/1",
    ):
        status, body = await world.web.get(path)
        assert status == 404 and '<html lang="pl">' in body and "e-urząd" in body, path


async def test_comments_are_hidden_until_the_report_by_default(world: ConsultationWorld) -> None:
    consultation = await world.consultation()
    await world.send("plan-dabrowa", text=TEXT)
    comment = world.comments()[0]
    await world.service.moderate(consultation, comment.id, hide=False, reason="", actor="ewa")
    body = (await world.web.get(PAGE))[1]
    assert TEXT not in body
    thanks = (await world.web.get(f"{PAGE}/dziekujemy?nr=1"))[1]
    assert "Uwag nie publikujemy w trakcie konsultacji" in thanks
    status, _ = await world.web.get(f"{PAGE}/raport")
    assert status == 404  # no report before it is published


async def test_a_setting_shows_reviewed_comments_while_it_runs(db_url: str, tmp_path: Path) -> None:
    settings = consultation_settings(show_comments_during=True)
    async with consultation_client(db_url, tmp_path / "files", settings) as world:
        consultation = await world.consultation()
        await world.send("plan-dabrowa", text=TEXT)
        await world.send("plan-dabrowa", text="Niesprawdzona jeszcze uwaga.")
        await world.send("plan-dabrowa", text="Obraźliwa uwaga.")
        first, _, rude = world.comments()
        assert TEXT not in (await world.web.get(PAGE))[1]  # not reviewed yet
        await world.service.moderate(consultation, first.id, hide=False, reason="", actor="e")
        await world.service.moderate(consultation, rude.id, hide=True, reason="obelgi", actor="e")
        body = (await world.web.get(PAGE))[1]
        assert TEXT in body and "Niesprawdzona" not in body and "Obraźliwa" not in body


async def test_comments_per_address_are_limited_per_hour(db_url: str, tmp_path: Path) -> None:
    settings = consultation_settings(comments_per_hour=2)
    async with consultation_client(db_url, tmp_path / "files", settings) as world:
        await world.consultation()
        for n in range(2):
            assert (await world.send("plan-dabrowa", text=f"Uwaga {n}")).status == 303
        refused = await world.send("plan-dabrowa", text="Trzecia uwaga")
        body = await refused.text()
        assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
        assert "Wysłano zbyt wiele uwag" in body and "Trzecia uwaga" in body
        other = await world.send("plan-dabrowa", ip="198.51.100.20", text="Od sąsiada")
        assert other.status == 303
        assert len(world.comments()) == 3
