"""Adds residents' rights to the application: ``install(app, deps)`` in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from cic.config import Settings
from cic.db import Store
from cic.privacy import views
from cic.privacy.service import PrivacyService
from cic.privacy.views import Search

PRIVACY = web.AppKey("privacy", PrivacyService)


@dataclass(frozen=True)
class PrivacyDeps:
    """What the privacy domain needs: the store and settings, the recordings directory on this
    host, the last-agent index to forget erased numbers in, and the residents' search."""

    store: Store
    settings: Settings
    recordings_root: Path
    forget_numbers: Callable[[list[str]], None]
    search_residents: Search


def install(app: web.Application, deps: PrivacyDeps) -> PrivacyService:
    """Build the service (erased numbers leave the last-agent index too) and add its routes."""
    service = PrivacyService(
        deps.store, deps.settings, deps.recordings_root, forget_numbers=deps.forget_numbers
    )
    app[PRIVACY] = service
    app.add_routes(views.routes(service, deps.search_residents))
    return service
