"""Announcements under test: the real portal server (``portal_world``) with the section
installed, a clock the test moves, a transport that keeps what was sent (or fails on
demand), and the newsletter loop run by hand (its supervised copy is stopped)."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from cic.announcements import plugin
from cic.announcements.service import Draft
from cic.config import Settings
from cic.db import Store
from cic.mail.errors import MailSendError
from cic.supervisor import Supervisor
from tests.component.portal_world import PortalWorld, portal_client

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SOLECTWA = ["Dąbrowa", "Lipki", "Żabno"]
_LINK = re.compile(r"https?://\S+/e-urzad/powiadomienia/potwierdz/\S+")


@dataclass
class Clock:
    """The time of the test (UTC), moved by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Transport:
    """Keeps every message; ``fail`` holds errors to raise on the next sends."""

    sent: list[EmailMessage] = field(default_factory=list)
    fail: list[MailSendError] = field(default_factory=list)

    async def send(self, message: EmailMessage, *, sender: str, recipients: list[str]) -> None:
        if self.fail:
            raise self.fail.pop(0)
        parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.sent.append(parsed)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def confirm_link(self, address: str) -> str:
        found = _LINK.search(self.text(self.to(address)[-1]))
        assert found, self.text(self.to(address)[-1])
        return found.group(0)


@dataclass
class NewsWorld:
    """The portal with announcements, its clock and transport."""

    web: PortalWorld
    built: plugin.Announcements
    clock: Clock
    transport: Transport
    settings: Settings

    @property
    def service(self) -> Any:
        return self.built.service

    async def announce(self, title: str, category: str = "odpady", solectwa: tuple[str, ...] = (),
                       body: str = "Treść ogłoszenia.") -> int:  # fmt: skip
        draft = Draft(title, f"Krótko: {title}", body, category, solectwa)
        return int(await self.service.save(draft, "redaktor-anna"))

    async def subscribe(self, address: str, categories: tuple[str, ...] = (),
                        solectwa: tuple[str, ...] = ()) -> None:  # fmt: skip
        """Subscribe and confirm through the newsletter service."""
        known = [c.slug for c in await self.service.categories()]
        await self.built.newsletter.subscribe(address, categories, solectwa, "zgoda", known)
        token = self.transport.confirm_link(address).rsplit("/", 1)[1]
        await self.built.newsletter.confirm(token)


def news_settings() -> Settings:
    settings = Settings()
    settings.office.name = "Urząd Gminy Testowo"
    settings.portal.solectwa = list(SOLECTWA)
    settings.mail.address = "urzad@gmina.test"
    settings.public_url = "https://portal.gmina.test"
    settings.channels.form_min_seconds = 0
    return settings


@asynccontextmanager
async def news_client(
    store: Store, settings: Settings | None = None, *, fake_mail: bool = True
) -> AsyncIterator[NewsWorld]:
    """The portal with announcements over ``store`` (migrated by the caller); without
    ``fake_mail`` the letters go through the SMTP server of ``settings.mail``."""
    settings = settings or news_settings()
    clock, transport, supervisor = Clock(), Transport(), Supervisor()
    holder: dict[str, plugin.Announcements] = {}

    def add(app: Any, portal: Any) -> None:
        holder["built"] = plugin.install(app, plugin.AnnouncementsDeps(
            settings, store, supervisor, b"klucz-testowy", portal, now=clock,
            transport=transport if fake_mail else None, poll_seconds=3600,
        ))  # fmt: skip

    async with portal_client(store, settings, add=add) as web:
        await supervisor.stop([plugin.LOOP])  # the test runs the rounds itself
        yield NewsWorld(web, holder["built"], clock, transport, settings)
