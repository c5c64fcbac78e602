"""cic.mail.smtp against the real Postfix of tests.mailserver: replies go out through
submission (STARTTLS or implicit TLS, AUTH checked by Dovecot) and arrive intact; failures
come back as temporary or permanent MailSendError."""

from __future__ import annotations

import email
import email.policy
import secrets
from email.message import EmailMessage

import pytest

from cic.mail.errors import MailSendError
from cic.mail.settings import SmtpAccount, TlsMode
from cic.mail.smtp import SmtpSender
from tests.maildaemons import free_ports
from tests.mailfixtures import MailUser
from tests.mailserver import MailServer


def office_account(server: MailServer, tls: TlsMode = "starttls", **extra) -> SmtpAccount:
    settings = {
        "host": "127.0.0.1",
        "port": server.submissions_port if tls == "ssl" else server.submission_port,
        "tls": tls,
        "username": server.office_address,
        "password": server.office_password,
        "ca_file": str(server.ca_file),
        "timeout": 10,
        **extra,
    }
    return SmtpAccount(**settings)


def reply(server: MailServer, to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Urząd Gminy Testowo <{server.office_address}>"
    message["To"] = to
    message["Subject"] = f"Odp: Wniosek o zaświadczenie {secrets.token_hex(4)}"
    message["Message-ID"] = f"<{secrets.token_hex(8)}@gmina.test>"
    message["In-Reply-To"] = "<wniosek-17@mieszkaniec.test>"
    message["References"] = "<wniosek-17@mieszkaniec.test>"
    message.set_content("Dzień dobry,\nzaświadczenie jest do odbioru w pokoju 12.\n")
    return message


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
async def test_a_reply_reaches_the_residents_mailbox_intact(
    mail_server: MailServer, mail_user: MailUser, tls: TlsMode
) -> None:
    sent = reply(mail_server, mail_user.address)

    await SmtpSender(office_account(mail_server, tls)).send(
        sent, sender=mail_server.office_address, recipients=[mail_user.address]
    )

    raw = mail_server.wait_for(mail_user.address, lambda raw: sent["Message-ID"].encode() in raw)
    got = email.message_from_bytes(raw, policy=email.policy.default)
    for header in ("Subject", "From", "To", "Message-ID", "In-Reply-To", "References"):
        assert got[header] == sent[header], header
    assert got.get_content().splitlines() == sent.get_content().splitlines()
    assert b"with ESMTPSA" in raw  # Postfix's Received: over TLS (S) and authenticated (A)


async def test_a_wrong_password_is_a_permanent_failure(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    sender = SmtpSender(office_account(mail_server, password="nie-to-haslo"))

    with pytest.raises(MailSendError, match="535") as failure:
        await sender.send(
            reply(mail_server, mail_user.address),
            sender=mail_server.office_address,
            recipients=[mail_user.address],
        )
    assert failure.value.temporary is False


async def test_a_server_that_is_down_is_a_temporary_failure(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    [closed_port] = free_ports(1)
    sender = SmtpSender(office_account(mail_server, port=closed_port))

    with pytest.raises(MailSendError, match="brak połączenia") as failure:
        await sender.send(
            reply(mail_server, mail_user.address),
            sender=mail_server.office_address,
            recipients=[mail_user.address],
        )
    assert failure.value.temporary is True


async def test_refused_recipients_are_named_and_the_others_still_get_it(
    mail_server: MailServer, mail_user: MailUser
) -> None:
    # The inbound port relays nowhere: a recipient outside its domains gets 554.
    inbound = SmtpAccount("127.0.0.1", mail_server.smtp_port, "none", timeout=10)
    outside = "ktos@example.com"
    sent = reply(mail_server, mail_user.address)

    with pytest.raises(MailSendError, match=outside) as failure:
        await SmtpSender(inbound).send(
            sent, sender=mail_server.office_address, recipients=[mail_user.address, outside]
        )

    assert failure.value.refused == (outside,)
    assert failure.value.temporary is False
    assert mail_server.wait_for(mail_user.address, lambda raw: sent["Message-ID"].encode() in raw)


def test_plain_text_to_another_host_is_refused_at_configuration() -> None:
    with pytest.raises(ValueError, match="bez TLS"):
        SmtpAccount("smtp.gmina.test", 587, "none", username="kontakt", password="x")
