"""pytest fixtures for the real mail system (``tests.mailserver``), registered in
tests/conftest.py.

``mail_server`` is one Dovecot + Postfix per test session (per pytest-xdist worker); tests
keep out of each other's way with their own mailboxes from ``mail_user``. Without the Debian
packages the tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cic.config import Settings
from tests.conftest import unavailable
from tests.maildaemons import missing_binaries
from tests.mailserver import MailServer


@dataclass(frozen=True)
class MailUser:
    """A mailbox of the test mail system."""

    address: str
    password: str


def require_mail_system() -> None:
    """Skip the test (fail it under CI=true) when the mail system cannot be started here."""
    if missing := missing_binaries():
        unavailable(f"mail tests need Debian's {', '.join(missing)} (run bin/install-deps)")
    if os.geteuid() != 0:
        unavailable("mail tests start Dovecot and Postfix, which needs root")


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """A running Dovecot + Postfix on loopback, stopped at the end of the session."""
    require_mail_system()
    server = MailServer.temporary()
    server.start()
    yield server
    server.stop()


def new_mail_user(server: MailServer, domain: str = "mieszkaniec.test") -> MailUser:
    """A new mailbox with a made-up name, e.g. ``osoba-1a2b3c@mieszkaniec.test``."""
    user = MailUser(f"osoba-{secrets.token_hex(3)}@{domain}", secrets.token_urlsafe(12))
    server.add_user(user.address, user.password)
    return user


@pytest.fixture
def mail_user(mail_server: MailServer) -> MailUser:
    """A fresh, empty mailbox in the resident domain (mieszkaniec.test) for this test."""
    return new_mail_user(mail_server)


def send_through(settings: Settings, server: MailServer) -> None:
    """Point ``settings.mail`` at the test mail system: the office's mailbox, submission
    with STARTTLS and AUTH, the test CA."""
    mail = settings.mail
    mail.enabled, mail.address = True, server.office_address
    mail.smtp_host, mail.smtp_port, mail.smtp_tls = "127.0.0.1", server.submission_port, "starttls"
    mail.smtp_user, mail.smtp_password = server.office_address, server.office_password
    mail.ca_file = str(server.ca_file)
