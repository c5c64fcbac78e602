"""Adds the incident register to the application: ``install(app, deps)`` in ``create_app``
(the staff API and pages), ``install_portal`` inside the portal's installation (the
residents' report form, with the portal's message-form tokens), and
``upload_limit_middleware`` in the middleware list, before the auth middleware."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from cic.channels.files import ChannelFiles
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform import WebForm
from cic.config import SafetySettings
from cic.db import Store
from cic.incidents import api_views, pages, portal_views
from cic.incidents.contact import ContactReports
from cic.incidents.geocoder import Geocoder
from cic.incidents.layers import layers_of
from cic.incidents.portal_views import upload_limit_middleware
from cic.incidents.service import IncidentService
from cic.portal.forms import PortalForms

__all__ = [
    "INCIDENTS",
    "IncidentsDeps",
    "PortalReportDeps",
    "install",
    "install_portal",
    "upload_limit_middleware",
]

INCIDENTS = web.AppKey("incidents", IncidentService)


@dataclass(frozen=True)
class IncidentsDeps:
    """The store, the safety settings, the office's time zone, the folder of the photos'
    private store, and the address register's geocoder (None: coordinates only)."""

    store: Store
    settings: SafetySettings
    zone: str
    files: Path
    geocoder: Geocoder | None = None


def install(app: web.Application, deps: IncidentsDeps) -> IncidentService:
    """Build the service, add the API and the staff pages; returns the service (also kept
    under ``app[INCIDENTS]``)."""
    settings = deps.settings
    service = IncidentService(
        deps.store, settings.area, ChannelFiles(deps.files), deps.geocoder,
        duplicate_metres=settings.duplicate_metres, duplicate_hours=settings.duplicate_hours,
        photo_max_bytes=settings.photo_max_mb * 1024 * 1024,
    )  # fmt: skip
    app[INCIDENTS] = service
    layers_of(app)
    app.add_routes(api_views.routes(service, deps.zone))
    app.add_routes(pages.routes(service, settings, deps.zone))
    return service


@dataclass(frozen=True)
class PortalReportDeps:
    """The service, the safety settings, the portal's tokens of forms that send something, and
    the web form whose channel each report also opens a contact report in (None: none)."""

    service: IncidentService
    settings: SafetySettings
    forms: PortalForms
    form: WebForm | None = None


def install_portal(app: web.Application, deps: PortalReportDeps) -> None:
    """Add ``/e-urzad/zgloszenie-zagrozenia``."""
    settings = deps.settings
    limit = HourlyLimit(settings.reports_per_hour, settings.reports_per_hour_all)
    form = deps.form
    contact = ContactReports(form.store, form.policy, form.on_report) if form else None
    app.add_routes(portal_views.routes(deps.service, deps.forms, limit, settings, contact))
