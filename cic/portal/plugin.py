"""Adds the resident portal's shared parts to the application: ``install(app, deps)`` in
``create_app``, before the portal's sections (services, case status, dues, announcements,
consultations), which take the returned ``Portal``'s form tokens and limits."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from aiohttp import web

from cic.channels.ratelimit import HourlyLimit
from cic.config import Settings
from cic.portal import views
from cic.portal.forms import PortalForms
from cic.portal.site import SITE, PortalSite, site_from


@dataclass(frozen=True)
class PortalDeps:
    """The settings (the office's details, the form guards) and the key of the form tokens."""

    settings: Settings
    key: bytes


@dataclass(frozen=True)
class Portal:
    """What the portal's sections share: ``lookups`` (tokens of the case-status and dues
    forms, no delay), ``messages`` (tokens of forms that send something: at least the web
    form's ``form_min_seconds`` after showing), ``lookup_limit`` (lookups per client address
    per hour, and in all) and ``site`` (the office)."""

    lookups: PortalForms
    messages: PortalForms
    lookup_limit: HourlyLimit
    site: PortalSite


def portal_key(key: bytes) -> bytes:
    """The portal's own signing key, derived from the web form's (a token of one kind of
    form is never good for the other)."""
    return hmac.new(key, b"cic-portal-forms", hashlib.sha256).digest()


def install(app: web.Application, deps: PortalDeps) -> Portal:
    """Keep the office's details under ``app[SITE]``, add the shared pages; returns the
    ``Portal`` the sections take."""
    settings = deps.settings
    key = portal_key(deps.key)
    channels = settings.channels
    site = site_from(settings)
    app[SITE] = site
    portal = Portal(
        lookups=PortalForms(key, min_seconds=0, max_hours=channels.form_max_hours),
        messages=PortalForms(
            key, min_seconds=channels.form_min_seconds, max_hours=channels.form_max_hours
        ),
        lookup_limit=HourlyLimit(
            settings.portal.lookups_per_hour, settings.portal.lookups_per_hour * 100
        ),
        site=site,
    )
    app.add_routes(views.routes())
    return portal
