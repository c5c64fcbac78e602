"""Consultations under test: the portal's real server (``portal_world``) with the
consultations' pages, a service to seed and change them as an editor would, and days relative
to today in the office's time zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cic.config import Settings
from cic.consultations import plugin
from cic.consultations.models import ConsultationComment
from cic.consultations.service import ConsultationService
from cic.db import Store
from tests.component.portal_world import PortalWorld, portal_client

ZONE = "Europe/Warsaw"
SOLECTWA = ["Dąbrowa", "Zalesie Górne"]
EDITOR = "redaktor-ewa"


def consultation_settings(**consultations: Any) -> Settings:
    """Settings with two sołectwa, no delay on the form's token, and ``consultations``."""
    settings = Settings()
    settings.office.name = "Urząd Gminy Testowo"
    settings.portal.solectwa = list(SOLECTWA)
    settings.channels.form_min_seconds = 0
    for name, value in consultations.items():
        setattr(settings.consultations, name, value)
    return settings


@dataclass
class ConsultationWorld:
    """The portal's client and the consultation service behind it."""

    web: PortalWorld
    service: ConsultationService

    @property
    def today(self) -> date:
        """Today in the office's time zone."""
        return self.service.today()

    async def consultation(
        self, slug: str = "plan-dabrowa", *, start: int = -1, end: int = 5,
        names: str = "optional", solectwo: bool = True, title: str = "Plan dla wsi Dąbrowa",
    ) -> int:  # fmt: skip
        """A consultation from ``start`` to ``end`` days from today."""
        return await self.service.save(None, {
            "title": title, "slug": slug, "summary": "Projekt planu odnowy wsi.",
            "description": "## Cel\n\nNowy **plac zabaw**.\n\n<script>alert(1)</script>",
            "starts_on": (self.today + timedelta(days=start)).isoformat(),
            "ends_on": (self.today + timedelta(days=end)).isoformat(),
            "names": names, "ask_solectwo": "1" if solectwo else "",
        }, EDITOR)  # fmt: skip

    async def close(self, consultation_id: int) -> None:
        """Move the consultation's period into the past (as the e2e test does in the DB)."""
        found = await self.service.by_id(consultation_id)
        await self.service.save(consultation_id, {
            "title": found.title, "slug": found.slug, "summary": found.summary,
            "description": found.description, "names": found.names,
            "starts_on": (self.today - timedelta(days=10)).isoformat(),
            "ends_on": (self.today - timedelta(days=1)).isoformat(),
            "ask_solectwo": "1" if found.ask_solectwo else "",
        }, EDITOR)  # fmt: skip

    async def send(self, slug: str, ip: str = "203.0.113.7", **fields: str) -> Any:
        """Send the comment form of ``slug`` with a fresh token and ``fields``."""
        token = await self.web.token(f"/e-urzad/konsultacje/{slug}")
        return await self.web.post(
            f"/e-urzad/konsultacje/{slug}/uwagi", {"form_token": token, **fields}, ip=ip
        )

    def comments(self) -> list[ConsultationComment]:
        """Every stored comment."""
        return self.web.store.run_sync(
            lambda s: list(s.scalars(select(ConsultationComment).order_by(ConsultationComment.id)))
        )


@asynccontextmanager
async def consultation_client(
    db_url: str, files: Path, settings: Settings | None = None
) -> AsyncIterator[ConsultationWorld]:
    """The portal with consultations on a migrated database at ``db_url``."""
    settings = settings or consultation_settings()
    store = Store(db_url)
    store.migrate()
    services: list[ConsultationService] = []

    def add(app: Any, portal: Any) -> None:
        services.append(plugin.install(app, plugin.ConsultationDeps(
            store, settings.consultations, ZONE, tuple(settings.portal.solectwa), files,
            portal.messages,
        )))  # fmt: skip

    try:
        async with portal_client(store, settings, add=add) as web:
            yield ConsultationWorld(web, services[0])
    finally:
        await store.close()
