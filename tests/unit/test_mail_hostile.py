"""Hostile and broken input: parse_message never raises, loses nothing it could show, and
bounds what an attacker could blow up (nesting, number of parts, header size)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cic.mail.parse import ParsedMail, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]


def assert_clean(mail: ParsedMail) -> None:
    """What every parse must give: storable text (no NUL, no lone surrogates), an id, no
    content of refused attachments."""
    texts = [mail.subject, mail.text, mail.html, mail.from_name, mail.from_address,
             mail.reply_to, *mail.to, *mail.cc, *mail.references, *mail.in_reply_to,
             mail.message_id, *mail.defects]  # fmt: skip
    for attachment in mail.attachments:
        texts += [attachment.filename, attachment.rejected, attachment.content_type]
    for text in texts:
        assert "\x00" not in text
        text.encode("utf-8")  # raises on a lone surrogate
    for address in (mail.from_address, mail.reply_to, *mail.to, *mail.cc):
        assert address == address.strip().lower() and address.isprintable()
    assert mail.message_id.startswith("<") and mail.message_id.endswith(">")
    assert mail.auto in {"", "auto-reply", "bounce", "list", "loop"}
    assert mail.sender_check in {"pass", "fail", "unknown"}
    for attachment in mail.attachments:
        assert (attachment.data is None) == bool(attachment.rejected)
        assert 0 < len(attachment.filename) <= 200 and "/" not in attachment.filename


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert_clean(parse_message(raw, trusted_authserv_ids=("mx.gmina.example",)))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "duplicate"]))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\n", b"--", b"=?", b"?=", b"<", b";", b"\x00", b"\xff", b"\r"])
            )
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_messages_never_raise(raw: bytes) -> None:
    assert_clean(
        parse_message(
            raw,
            trusted_authserv_ids=("mx.gmina.example",),
            own_addresses=("kontakt@gmina.example",),
        )
    )


def test_garbled_bytes_are_unparseable_and_shown() -> None:
    raw = bytes(range(256)) * 3 + "Zażółć gęślą jaźń".encode()

    mail = parse_message(raw)

    assert mail.unparseable is True
    assert mail.text.endswith("Zażółć gęślą jaźń")
    assert mail.defects
    assert_clean(mail)


def test_empty_input_is_unparseable() -> None:
    mail = parse_message(b"")

    assert mail.unparseable is True and mail.text == ""


def nested(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth)
    )
    closing = b"".join(b"\n--b%d--\n" % i for i in reversed(range(depth)))
    return b"From: a@m.example\nSubject: gniazdo\n" + opening + b"\nsrodek" + closing


def test_deep_nesting_is_cut_at_twenty_levels() -> None:
    mail = parse_message(nested(60))

    assert "części zagnieżdżone głębiej niż 20 poziomów pominięto" in mail.defects
    assert mail.subject == "gniazdo" and mail.unparseable is False


def test_nesting_too_deep_for_the_parser_keeps_headers_and_raw_text() -> None:
    mail = parse_message(nested(1500))

    assert mail.unparseable is True
    assert mail.subject == "gniazdo" and mail.from_address == "a@m.example"
    assert "srodek" in mail.text


def test_thousands_of_parts_are_cut() -> None:
    parts = b"".join(b"--B\nContent-Type: text/plain\n\nczesc %d\n" % i for i in range(2000))
    raw = b'From: a@m.example\nContent-Type: multipart/mixed; boundary="B"\n\n' + parts + b"--B--\n"

    mail = parse_message(raw)

    assert "ponad 500 części MIME; dalsze pominięto" in mail.defects
    assert "czesc 0" in mail.text and "czesc 1999" not in mail.text


def test_huge_header_is_cut() -> None:
    raw = b"From: a@m.example\nSubject: " + b"A" * 2_000_000 + b"\nTo: " + b"(" * 100_000 + b"\n\nx"

    mail = parse_message(raw)

    assert len(mail.subject) == 998
    assert "nagłówek subject za długi, obcięty" in mail.defects
    assert mail.to == () and mail.text == "x"


def test_broken_multipart_without_boundary_shows_its_text() -> None:
    raw = b"From: a@m.example\nContent-Type: multipart/mixed\n\nTekst bez granicy."

    mail = parse_message(raw)

    assert mail.text == "Tekst bez granicy."
    assert "część wieloczęściowa bez granicy (boundary)" in mail.defects
