"""The mail accounts' settings refuse what cannot work or would send a password in clear."""

from __future__ import annotations

import pytest

from cic.mail.settings import ImapAccount, SmtpAccount, is_loopback


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"])
def test_plain_text_is_allowed_on_this_machine(host: str) -> None:
    assert is_loopback(host)
    assert ImapAccount(host, 143, "none", "kontakt", "haslo").tls == "none"
    assert SmtpAccount(host, 25, "none").tls == "none"


@pytest.mark.parametrize("host", ["imap.gmina.test", "10.0.0.5", "localhost.gmina.test"])
def test_plain_text_to_another_host_is_refused(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ValueError, match="bez TLS"):
        ImapAccount(host, 143, "none", "kontakt", "haslo")
    with pytest.raises(ValueError, match="bez TLS"):
        SmtpAccount(host, 587, "none", "kontakt", "haslo")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 0}, "poza zakresem"),
        ({"port": 70000}, "poza zakresem"),
        ({"tls": "tls"}, "nieznany tryb TLS"),
        ({"host": ""}, "adresu serwera"),
        ({"username": ""}, "nazwy użytkownika"),
        ({"folders": ()}, "folder"),
        ({"folders": ("INBOX", "")}, "folder"),
        ({"poll_seconds": 0}, "odstęp"),
        ({"timeout": -1}, "limit czasu"),
    ],
)
def test_imap_settings_that_cannot_work_are_refused(changes: dict, message: str) -> None:
    settings = {"host": "imap.gmina.test", "port": 993, "tls": "ssl", "username": "kontakt"}
    with pytest.raises(ValueError, match=message):
        ImapAccount(**{**settings, "password": "haslo", **changes})


def test_a_password_without_a_username_is_refused_for_smtp() -> None:
    with pytest.raises(ValueError, match="bez nazwy"):
        SmtpAccount("smtp.gmina.test", 465, "ssl", password="haslo")


def test_passwords_stay_out_of_the_repr() -> None:
    imap = ImapAccount("imap.gmina.test", 993, "ssl", "kontakt", "tajne-haslo-1")
    smtp = SmtpAccount("smtp.gmina.test", 587, "starttls", "kontakt", "tajne-haslo-2")

    assert "tajne" not in repr(imap) + repr(smtp)
    assert imap.folders == ("INBOX",) and imap.idle and imap.ca_file == ""
