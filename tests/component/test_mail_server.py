"""The test mail system itself: Postfix takes a resident's mail, Dovecot stores it, and a
Dovecot restart keeps the mailbox."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

import pytest

from tests.mailfixtures import MailUser, require_mail_system
from tests.mailserver import MailServer, MailServerError


def resident_mail(sender: str, to: str, subject: str) -> bytes:
    return (
        f"From: Jan Testowy <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{secrets.token_hex(8)}@mieszkaniec.test>\r\n\r\n"
        "Dzień dobry, proszę o informację.\r\n"
    ).encode()


def test_mail_to_the_office_arrives_in_its_imap_box(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    subject = f"Wniosek {secrets.token_hex(4)}"
    mail_server.send(
        resident_mail(mail_user.address, mail_server.office_address, subject),
        mail_user.address,
        [mail_server.office_address],
    )

    raw = mail_server.wait_for(mail_server.office_address, lambda raw: subject.encode() in raw)

    assert f"Delivered-To: {mail_server.office_address}".encode() in raw
    assert raw.endswith("Dzień dobry, proszę o informację.\r\n".encode())


def test_mail_to_an_unknown_mailbox_bounces_to_the_sender(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    subject = f"Do nikogo {secrets.token_hex(4)}"
    nobody = f"nikt-{secrets.token_hex(3)}@gmina.test"
    mail_server.send(resident_mail(mail_user.address, nobody, subject), mail_user.address, [nobody])

    bounce = mail_server.wait_for(mail_user.address, lambda raw: nobody.encode() in raw)

    assert b"MAILER-DAEMON" in bounce


def test_restarting_dovecot_keeps_the_mailbox(mail_server: MailServer, mail_user: MailUser) -> None:
    raw = resident_mail(mail_user.address, mail_user.address, "Przed restartem")
    mail_server.append(mail_user.address, raw)

    mail_server.restart_dovecot()

    assert mail_server.messages(mail_user.address) == [raw]


def test_a_port_taken_before_the_daemon_binds_it_is_replaced() -> None:
    require_mail_system()
    server = MailServer.temporary()
    taken = server.imap_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        server.start()
    try:
        assert server.imap_port != taken
        assert server.messages(server.office_address) == []
    finally:
        server.stop()
    assert not server.root.exists()


def test_a_root_under_a_private_directory_is_refused(tmp_path: Path) -> None:
    require_mail_system()
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    server = MailServer(private / "mail")

    with pytest.raises(MailServerError, match="not reachable"):
        server.start()
