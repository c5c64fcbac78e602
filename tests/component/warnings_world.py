"""Warnings under test: the real portal server (``portal_world``) with the announcements and
warnings sections installed over one store, a clock the test moves, and the notify store's
senders played by the test (``claim`` + ``finish``), as the notify contract says."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cic.announcements import plugin as news_plugin
from cic.bus import InProcessBus
from cic.config import Settings
from cic.db import Store
from cic.notify.service import Claimed
from cic.supervisor import Supervisor
from cic.warnings import plugin
from cic.warnings.service import Actor, Draft
from tests.component.news_world import Clock, NewsWorld, Transport, news_settings
from tests.component.portal_world import PortalWorld, portal_client

SUPERVISOR = Actor("kierownik-ewa", "supervisor")
EDITOR = Actor("redaktor-anna", "editor")
AGENT = Actor("konsultant-jan", "agent")
WORDS = {w: str(d) for d, w in enumerate(("zero", "jeden", "dwa", "trzy", "cztery", "pięć",
                                          "sześć", "siedem", "osiem", "dziewięć"))}  # fmt: skip


@dataclass
class WarningsWorld:
    """The portal with warnings and announcements, the clock, the plugin's services."""

    web: PortalWorld
    built: plugin.Warnings
    news: NewsWorld
    clock: Clock

    @property
    def service(self) -> Any:
        return self.built.service

    @property
    def subs(self) -> Any:
        return self.built.subscriptions

    async def warn(
        self, title: str = "Silny wiatr", *, solectwa: tuple[str, ...] = (),
        channels: tuple[str, ...] = ("portal", "email", "sms", "voice"),
        severity: str = "ostrzezenie", actor: Actor = SUPERVISOR, hours: float = 6,
    ) -> int:  # fmt: skip
        """A draft warning valid from now for ``hours``."""
        draft = Draft(
            title, "Zostań w domu, zabezpiecz rzeczy na balkonie.", severity, channels,
            self.clock.now, self.clock.now + timedelta(hours=hours), solectwa,
        )  # fmt: skip
        return int(await self.service.save(draft, actor))

    async def claim(self, channel: str) -> list[Claimed]:
        """What a sender of ``channel`` would take now."""
        return list(await self.built.notify.claim(channel, 1000))

    async def code_for(self, channel: str, address: str) -> str:
        """Play the SMS or voice sender: take the newest code to ``address``, report it sent,
        and return the six digits."""
        taken = [c for c in await self.claim(channel) if c.address == address]
        assert taken, f"no {channel} to {address}"
        for item in taken:
            await self.built.notify.finish(item.id, "delivered")
        text = taken[-1].message.text
        if channel == "sms":
            found = re.search(r"\b(\d{6})\b", text)
            assert found, text
            return found.group(1)
        said = text.split("to: ", 1)[1].split(".", 1)[0]
        return "".join(WORDS[w.strip()] for w in said.split(","))


def warnings_settings() -> Settings:
    settings = news_settings()
    settings.warnings.code_attempts = 3
    return settings


@asynccontextmanager
async def warnings_client(
    store: Store, settings: Settings | None = None
) -> AsyncIterator[WarningsWorld]:
    """The portal with both sections over ``store`` (migrated by the caller)."""
    settings = settings or warnings_settings()
    clock, transport, supervisor, bus = Clock(), Transport(), Supervisor(), InProcessBus()
    holder: dict[str, Any] = {}

    def add(app: Any, portal: Any) -> None:
        holder["news"] = news_plugin.install(app, news_plugin.AnnouncementsDeps(
            settings, store, supervisor, b"klucz-testowy", portal, now=clock,
            transport=transport, poll_seconds=3600,
        ))  # fmt: skip
        holder["built"] = plugin.install(app, plugin.WarningsDeps(
            settings, store, bus, supervisor, b"klucz-testowy", portal, now=clock,
            poll_seconds=3600,
        ))  # fmt: skip

    async with portal_client(store, settings, add=add) as web:
        await supervisor.stop([news_plugin.LOOP, plugin.LOOP])
        news = NewsWorld(web, holder["news"], clock, transport, settings)
        yield WarningsWorld(web, holder["built"], news, clock)
    await bus.close()
