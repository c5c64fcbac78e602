"""How many SMS parts a text takes: GSM-7 (extension characters count twice) or UCS-2, which a
single Polish letter forces."""

from __future__ import annotations

import pytest

from cic.sms.parts import count_parts


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("", "gsm", 1),
        ("a" * 160, "gsm", 1),
        ("a" * 161, "gsm", 2),
        ("a" * 306, "gsm", 2),
        ("a" * 307, "gsm", 3),
        ("€" * 80, "gsm", 1),
        ("€" * 81, "gsm", 2),
        ("Zażółć" + "a" * 64, "ucs2", 1),
        ("ą" * 71, "ucs2", 2),
        ("ą" * 134, "ucs2", 2),
        ("ą" * 135, "ucs2", 3),
        ("🙂" * 35, "ucs2", 1),
    ],
)
def test_parts(text: str, encoding: str, count: int) -> None:
    parts = count_parts(text)
    assert (parts.encoding, parts.count) == (encoding, count)


def test_one_polish_letter_turns_a_whole_message_into_ucs2() -> None:
    plain = count_parts("Silny wiatr, zamkniete drogi w solectwie Debowka. " * 3)
    polish = count_parts("Silny wiatr, zamknięte drogi w sołectwie Dębówka. " * 3)
    assert (plain.encoding, plain.count) == ("gsm", 1)
    assert (polish.encoding, polish.count) == ("ucs2", 3)
