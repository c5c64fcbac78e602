"""Incoming e-mail parsed from hand-written fixtures (made-up people, ``.example`` domains):
headers in any charset, text and HTML bodies, threading ids, broken MIME kept with defects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cic.mail.parse import ParsedMail, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
POLISH = "ąęłóśźżćń"


def parse(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


def test_plain_text_message_keeps_addresses_subject_date_and_text() -> None:
    mail = parse("plain.eml")

    assert mail.message_id == "<plain-1@mieszkaniec.example>"
    assert mail.from_address == "jan.przykladowy@mieszkaniec.example"
    assert mail.from_name == "Jan Przykładowy"
    assert mail.reply_to == "jan.domowy@mieszkaniec.example"
    assert mail.to == ("kontakt@gmina.example",)
    assert mail.cc == ("sasiad@mieszkaniec.example",)
    assert mail.subject == "Zażółć gęślą jaźń – uszkodzona ławka przy ul. Łąkowej"
    assert mail.date == datetime(2026, 12, 7, 8, 15, tzinfo=UTC)
    assert mail.text.startswith("Dzień dobry,\n\nprzy ul. Łąkowej 7 ktoś złamał ławkę.")
    assert mail.text.endswith("Jan Przykładowy")
    assert (mail.html, mail.attachments, mail.auto, mail.defects) == ("", (), "", ())
    assert mail.unparseable is False


def test_hostile_html_is_sanitised_and_text_derived_from_it() -> None:
    mail = parse("html_hostile.eml")

    lowered = mail.html.lower()
    for gone in ("<script", "<style", "<iframe", "<form", "<input", "onload", "onerror",
                 "javascript:", "tracker.example", "evil.example", "style=", "<title"):  # fmt: skip
        assert gone not in lowered, gone
    assert "<img" not in lowered  # both images had remote or unsafe sources
    assert '<a href="https://gmina.example/harmonogram" rel="noopener noreferrer nofollow">' in (
        mail.html
    )
    assert "<b>odpadów</b>" in mail.html
    assert mail.text.startswith("Dzień dobry,\n\nkiedy będzie wywóz odpadów wielkogabarytowych?")
    assert "Mieszkam przy ul. Polnej 3." in mail.text
    assert "- gabaryty\n- elektroodpady" in mail.text
    for gone in ("alert", "document.cookie", "Tytuł strony", "background", "<"):
        assert gone not in mail.text, gone


def test_alternative_prefers_plain_text_and_keeps_html_and_inline_image() -> None:
    mail = parse("alternative.eml")

    assert mail.text == "Wersja tekstowa: proszę o zgodę na wycięcie drzewa."
    assert mail.html.startswith("<p>Wersja <b>HTML</b>: proszę o zgodę.</p>")
    assert '<img src="cid:drzewo@ewa" alt="drzewo">' in mail.html
    (image,) = mail.attachments
    assert (image.inline, image.content_id, image.detected_type) == (
        True,
        "drzewo@ewa",
        "image/png",
    )
    assert image.rejected == "" and image.data is not None


def test_threading_ids_are_normalised() -> None:
    mail = parse("alternative.eml")

    assert mail.in_reply_to == ("<ack-7@gmina.example>",)
    assert mail.references == ("<first-1@mieszkaniec.example>", "<ack-7@gmina.example>")


def test_iso_8859_2_body_and_encoded_words() -> None:
    mail = parse("iso_8859_2.eml")

    assert mail.subject == "Dziura w jezdni Źródło żółw ęśą ćń"
    assert mail.from_name == "Tomasz Wzorcowy Łódź"
    assert "ul. Źródlanej. Zażółć gęślą jaźń." in mail.text
    assert all(letter in mail.text.lower() for letter in POLISH)
    assert mail.defects == ()


def test_windows_1250_body_and_base64_encoded_words() -> None:
    mail = parse("windows_1250.eml")

    assert mail.subject == "Podatek – zażółć gęślą jaźń"
    assert mail.from_name == "Świętosław Kowalczyk"
    assert mail.text.startswith("Szanowni Państwo,\nproszę o informację o podatku")
    assert all(letter in mail.text.lower() for letter in POLISH)


def test_raw_8bit_headers_are_read_as_utf8_else_windows_1250() -> None:
    utf8 = "Subject: Zażółć gęślą jaźń\nFrom: Łucja <l@m.example>\n\nx".encode()
    legacy = "Subject: Zażółć gęślą jaźń\nFrom: Łucja <l@m.example>\n\nx".encode("cp1250")

    for raw in (utf8, legacy):
        mail = parse_message(raw)
        assert (mail.subject, mail.from_name) == ("Zażółć gęślą jaźń", "Łucja")


def test_body_without_charset_or_with_a_wrong_one_keeps_polish_letters() -> None:
    undeclared = "From: a@m.example\n\nŻółta ławka".encode("cp1250")
    wrong = (
        b"From: a@m.example\nContent-Type: text/plain; charset=utf-8\n\n"
        + "Żółta ławka".encode("cp1250")
    )

    assert parse_message(undeclared).text == "Żółta ławka"
    mail = parse_message(wrong)
    assert mail.text == "Żółta ławka"
    assert any("zestawem znaków „utf-8”" in d for d in mail.defects)


def test_html_meta_charset_is_used_when_mime_names_none() -> None:
    raw = (
        b"From: a@m.example\nContent-Type: text/html\n\n"
        b'<html><head><meta charset="iso-8859-2"></head><p>\xbf\xf3\xb3w</p></html>'
    )

    assert parse_message(raw).text == "żółw"


def test_malformed_mime_is_parsed_with_defects() -> None:
    mail = parse("malformed.eml")

    assert mail.unparseable is False
    assert mail.from_address == "zofia@mieszkaniec.example"
    assert mail.subject.startswith("Zgłoszenie")
    assert "Treść mimo wszystko czytelna." in mail.text
    assert "Druga część w nieznanym zestawie znaków: gęś." in mail.text
    assert mail.date is None
    expected = {
        "niepoprawnie zakodowany temat",
        "niepoprawna długość danych base64",
        "nieznany zestaw znaków „x-nieznany-zestaw”",
        "brak końcowej granicy części (wiadomość może być ucięta)",
        "nieczytelna data wysłania",
    }
    assert expected <= set(mail.defects)
    (image,) = mail.attachments
    assert image.data is None and image.rejected.startswith("treść nie jest tym")


def test_forwarded_message_is_shown_inline_and_its_attachments_checked() -> None:
    mail = parse("forwarded.eml")

    assert mail.text.startswith("Przesyłam wiadomość, o której rozmawialiśmy.")
    assert "---------- Wiadomość przekazana ----------" in mail.text
    assert "Od: sekretariat@inny-urzad.example" in mail.text
    assert "Temat: Decyzja w sprawie ulgi podatkowej" in mail.text
    assert mail.text.endswith("Ulga została przyznana.")
    assert mail.html == "<p>Ulga została <b>przyznana</b>.</p>"
    (setup,) = mail.attachments
    assert (setup.filename, setup.rejected, setup.data) == ("setup.exe", "plik wykonywalny", None)


def test_missing_message_id_gets_a_stable_synthetic_one() -> None:
    raw = b"From: a@m.example\nSubject: bez identyfikatora\n\ntresc"

    first, again = parse_message(raw), parse_message(raw)
    other = parse_message(raw + b"!")

    assert first.message_id == again.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@brak-message-id.cic>")
    assert other.message_id != first.message_id


def test_message_id_without_brackets_gets_them_back() -> None:
    raw = b"Message-ID: abc-1@m.example\nIn-Reply-To: x@y.example\nFrom: a@m.example\n\nt"

    mail = parse_message(raw)

    assert mail.message_id == "<abc-1@m.example>"
    assert mail.in_reply_to == ("<x@y.example>",)


def test_unreadable_sender_is_empty_and_said() -> None:
    mail = parse_message(b"From: nie ma tu adresu\nSubject: x\n\ntresc")

    assert (mail.from_address, mail.from_name) == ("", "")
    assert "nieczytelny adres nadawcy" in mail.defects


def test_subject_loses_control_and_direction_characters_and_is_bounded() -> None:
    raw = b"From: a@m.example\nSubject: =?utf-8?q?a=07b=E2=80=AEc?= " + b"x" * 3000 + b"\n\nt"

    mail = parse_message(raw)

    assert mail.subject.startswith("a b c ")
    assert len(mail.subject) == 998
