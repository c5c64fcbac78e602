"""Adds public consultations to the application: ``install(app, deps)`` in ``create_app``
(inside the portal's installation, with the portal's message-form tokens), and
``upload_limit_middleware`` in the middleware list, before the auth middleware."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from cic.channels.files import ChannelFiles
from cic.channels.ratelimit import HourlyLimit
from cic.config import ConsultationSettings
from cic.consultations import editor_views, public_views
from cic.consultations.commenting import Commenting
from cic.consultations.service import ConsultationService, Place
from cic.consultations.uploads import upload_limit_middleware
from cic.db import Store
from cic.portal.forms import PortalForms

__all__ = ["ConsultationDeps", "install", "upload_limit_middleware"]


@dataclass(frozen=True)
class ConsultationDeps:
    """The store, the consultation settings, the office's time zone and sołectwa, the folder
    of the documents' private store, and the portal's tokens of forms that send something."""

    store: Store
    settings: ConsultationSettings
    zone: str
    solectwa: tuple[str, ...]
    files: Path
    forms: PortalForms


def install(app: web.Application, deps: ConsultationDeps) -> ConsultationService:
    """Add the public pages and the editors' pages; returns the service."""
    settings = deps.settings
    service = ConsultationService(
        deps.store, ChannelFiles(deps.files), Place(deps.zone, deps.solectwa, settings)
    )
    commenting = Commenting(
        service, HourlyLimit(settings.comments_per_hour, settings.comments_per_hour_all)
    )
    app.add_routes(public_views.routes(service, commenting, deps.forms))
    app.add_routes(editor_views.routes(service))
    return service
