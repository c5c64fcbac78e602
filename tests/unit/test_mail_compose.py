"""Outgoing e-mail: tags, reply subjects, the template filler and built messages that our own
parser reads back with Polish text, threading and the loop marker intact."""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime

import pytest

from cic.mail.compose import (
    DEFAULT_ACK_SUBJECT,
    DEFAULT_ACK_TEMPLATE,
    OutgoingAttachment,
    build_message,
    find_report_tag,
    make_message_id,
    render_template,
    reply_subject,
    report_tag,
)
from cic.mail.parse import parse_message

OFFICE = "kontakt@gmina.example"
PDF = b"%PDF-1.4\n%%EOF\n"


def build(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "sender": OFFICE,
        "sender_name": "Urząd Gminy Żółkowo",
        "to": ["Jan Przykładowy <jan@mieszkaniec.example>"],
        "subject": reply_subject("Odp: Re: Zażółć gęślą jaźń", report_tag(123)),
        "text": "Dzień dobry,\nzażółć gęślą jaźń – odpowiadamy.\n",
        "in_reply_to": "<parent@mieszkaniec.example>",
        "references": ("<root@mieszkaniec.example>",),
        "message_id": "<odp-1@gmina.example>",
        "loop_marker": ("X-CIC-Loop", OFFICE),
        "date": datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    message = build_message(**fields)  # type: ignore[arg-type]
    return message.as_bytes(policy=email.policy.SMTP)


def test_round_trip_keeps_polish_text_threading_and_tag() -> None:
    raw = build(signature="Referat Obsługi Mieszkańców\ntel. 00 000 00 00")

    assert raw.isascii()  # 7-bit clean: RFC 2047 headers, quoted-printable or base64 body
    mail = parse_message(raw, own_addresses=(OFFICE,))
    assert mail.subject == "Re: [ZGL-123] Zażółć gęślą jaźń"
    assert find_report_tag(mail.subject) == 123
    assert mail.from_name == "Urząd Gminy Żółkowo" and mail.from_address == OFFICE
    assert mail.to == ("jan@mieszkaniec.example",)
    assert mail.message_id == "<odp-1@gmina.example>"
    assert mail.in_reply_to == ("<parent@mieszkaniec.example>",)
    assert mail.references == ("<root@mieszkaniec.example>", "<parent@mieszkaniec.example>")
    assert mail.date == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert mail.text == (
        "Dzień dobry,\nzażółć gęślą jaźń – odpowiadamy.\n\n-- \n"
        "Referat Obsługi Mieszkańców\ntel. 00 000 00 00"
    )
    assert mail.auto == "loop"  # our own marker: never answered if it comes back


def test_automatic_mail_is_marked_as_rfc_3834_says() -> None:
    message = email.message_from_bytes(build(auto_submitted=True), policy=email.policy.default)

    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Precedence"] is None
    assert message["X-CIC-Loop"] == OFFICE
    assert parse_message(build(auto_submitted=True)).auto == "loop"


def test_person_s_reply_has_no_automatic_marks_and_default_loop_value_is_the_sender() -> None:
    message = email.message_from_bytes(
        build(loop_marker=("X-CIC-Loop", "")), policy=email.policy.default
    )

    assert message["Auto-Submitted"] is None
    assert message["X-CIC-Loop"] == OFFICE


def test_references_are_not_doubled_and_are_capped() -> None:
    ids = tuple(f"<r{i}@m.example>" for i in range(30))

    mail = parse_message(build(references=ids, in_reply_to=ids[-1]))

    assert len(mail.references) == 20
    assert mail.references[0] == ids[0] and mail.references[-1] == ids[-1]
    assert len(set(mail.references)) == 20


def test_html_alternative_and_attachment_with_a_polish_name() -> None:
    raw = build(
        html="<p>Dzień dobry</p>",
        attachments=(OutgoingAttachment("odpowiedź żółta.pdf", "application/pdf", PDF),),
    )

    mail = parse_message(raw)
    assert mail.html == "<p>Dzień dobry</p>"
    (attached,) = mail.attachments
    assert (attached.filename, attached.data, attached.rejected) == ("odpowiedź żółta.pdf", PDF, "")


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "x", "to": ["jan@m.example\r\nBcc: ofiara@m.example"]},
        {"sender_name": "Urząd\nBcc: ofiara@m.example"},
        {"in_reply_to": "<a@b>\r\nX-Evil: 1"},
        {"loop_marker": ("X-CIC-Loop", "a\nb")},
        {"loop_marker": ("X CIC: Loop", "a")},
        {"message_id": "bez-nawiasow@gmina.example"},
        {"to": ["to nie jest adres"]},
        {"to": []},
    ],
)
def test_bad_header_input_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        build(**overrides)


def test_subject_line_breaks_become_spaces() -> None:
    assert parse_message(build(subject="Pierwsza\r\nBcc: x@y.example")).subject == (
        "Pierwsza Bcc: x@y.example"
    )


def test_make_message_id_is_unique_on_the_domain() -> None:
    first, second = make_message_id("gmina.example"), make_message_id("Gmina.Example")

    assert first != second
    assert first.startswith("<") and first.endswith("@gmina.example>")
    assert second.endswith("@gmina.example>")
    punycode = "gmina-żółkowo.example".encode("idna").decode()
    assert punycode.startswith("xn--")
    assert make_message_id("gmina-żółkowo.example").endswith(f"@{punycode}>")
    with pytest.raises(ValueError):
        make_message_id("zła domena>")


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [ZGL-123] Ławka", 123),
        ("Potwierdzenie otrzymania wiadomości [ZGL-7]", 7),
        ("odp: [zgl 45] coś", 45),
        ("Dotyczy zgłoszenia ZGL-88 z maja", 88),
        ("[ZGL-5] i [ZGL-6]", 5),
        ("Zgłoszenie 123", None),
        ("XZGL-12", None),
        ("", None),
    ],
)
def test_find_report_tag(subject: str, number: int | None) -> None:
    assert find_report_tag(subject) == number


@pytest.mark.parametrize(
    ("original", "tag", "expected"),
    [
        ("Ławka", "[ZGL-1]", "Re: [ZGL-1] Ławka"),
        ("Re: Re: Odp: RE: ODP: AW: Fwd: PD: Ławka", "[ZGL-1]", "Re: [ZGL-1] Ławka"),
        ("Re: [ZGL-1] Re: Ławka", "[ZGL-1]", "Re: [ZGL-1] Ławka"),
        ("Odp.: Re[2]: Ławka [zgl-1]", "[ZGL-1]", "Re: [ZGL-1] Ławka"),
        ("Potwierdzenie [ZGL-1]", "[ZGL-1]", "Re: [ZGL-1] Potwierdzenie"),
        ("Re: Ławka", "[FN.3110.12.2026]", "Re: [FN.3110.12.2026] Ławka"),
        ("Re: [FN.3110.12.2026] Re: [FN.3110.12.2026] Ławka", "[FN.3110.12.2026]",
         "Re: [FN.3110.12.2026] Ławka"),
        ("Remont drogi", "[ZGL-2]", "Re: [ZGL-2] Remont drogi"),
        ("", "[ZGL-3]", "Re: [ZGL-3]"),
        ("Re:\r\n Ławka\tnowa", "[ZGL-3]", "Re: [ZGL-3] Ławka nowa"),
    ],
)  # fmt: skip
def test_reply_subject(original: str, tag: str, expected: str) -> None:
    assert reply_subject(original, tag) == expected
    assert reply_subject(reply_subject(original, tag), tag) == expected


def test_render_template_fills_known_fields_only() -> None:
    values = {"numer": "12", "urzad": "Urząd {numer}"}

    rendered = render_template(
        "{numer} {urzad} {nieznane} {__class__} {numer.__class__} {numer[0]} {0} {{numer}}",
        values,
    )

    assert (
        rendered
        == "12 Urząd {numer} {nieznane} {__class__} {numer.__class__} {numer[0]} {0} {numer}"
    )


def test_default_acknowledgement() -> None:
    values = {"numer": "41", "data": "07.12.2026", "termin": "10.12.2026", "urzad": "Urząd Gminy"}

    subject = render_template(DEFAULT_ACK_SUBJECT, values)
    text = render_template(DEFAULT_ACK_TEMPLATE, values)

    assert subject == "Potwierdzenie otrzymania wiadomości [ZGL-41]"
    assert find_report_tag(subject) == 41
    assert "07.12.2026" in text and "nr 41" in text and "10.12.2026" in text
    assert "[ZGL-41]" in text and "automatycznie" in text
    assert text.rstrip().endswith("Urząd Gminy")
    assert "{" not in text
