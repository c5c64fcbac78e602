"""IMAP wire helpers: folder names in modified UTF-7 and aioimaplib's responses parsed."""

from __future__ import annotations

import pytest

from cic.mail.imap_wire import FetchedMessage, folder_name, parse_fetch, parse_search, parse_select


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("INBOX", '"INBOX"'),
        ("Zgłoszenia", '"Zg&AUI-oszenia"'),
        ("Wnioski & skargi", '"Wnioski &- skargi"'),
        ("~peter/mail/台北/日本語", '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'),  # RFC 3501 5.1.3
        ('Dział "Podatki"', '"Dzia&AUI- \\"Podatki\\""'),
    ],
)
def test_folder_names_are_modified_utf7_and_quoted(name: str, wire: str) -> None:
    assert folder_name(name) == wire


def test_select_gives_uidvalidity_and_uidnext() -> None:
    lines = [
        b"FLAGS (\\Answered \\Seen)",
        b"3 EXISTS",
        b"OK [UIDVALIDITY 1733490000] UIDs valid",
        b"OK [UIDNEXT 42] Predicted next UID",
        b"[READ-WRITE] Select completed (0.001 secs).",
    ]
    state = parse_select(lines)
    assert (state.uidvalidity, state.uidnext) == (1733490000, 42)


def test_search_numbers_leave_out_the_completion_text() -> None:
    assert parse_search([b"7 3 12", b"Search completed (0.001 + 0.000 secs)."]) == [3, 7, 12]
    assert parse_search([b"", b"Search completed 2 3."]) == []


def test_fetch_takes_each_literal_as_its_message_and_skips_flag_changes() -> None:
    first, second = b"Subject: a\r\n\r\n(unbalanced\r\n", b"Subject: b\r\n\r\nb\r\n"
    lines = [
        b"1 FETCH (UID 5 RFC822.SIZE 27 BODY[] {27}",
        bytearray(first),
        b")",
        b"2 FETCH (FLAGS (\\Seen) UID 6)",
        b"3 FETCH (BODY[] {17}",
        bytearray(second),
        b" UID 9 RFC822.SIZE 17)",
        b"Fetch completed (0.001 + 0.000 secs).",
    ]
    assert parse_fetch(lines) == [FetchedMessage(5, first, 27), FetchedMessage(9, second, 17)]
