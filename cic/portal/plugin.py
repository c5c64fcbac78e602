"""Adds the resident portal's shared parts to the application: ``install(app, deps)`` in
``create_app``, before the portal's sections (services, case status, dues, announcements,
consultations), which take the returned ``Portal``'s form tokens and limits."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

from aiohttp import web

from cic.auth.middleware import is_portal
from cic.cases.status import StatusChecks
from cic.channels.ratelimit import HourlyLimit
from cic.channels.webform import WebForm
from cic.config import Settings
from cic.db import Store
from cic.portal import case_status, contact, views, visit_views
from cic.portal.forms import PortalForms
from cic.portal.site import SITE, PortalSite, site_from
from cic.portal.visits import VisitCounter
from cic.supervisor import Supervisor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PortalDeps:
    """The settings (the office's details, the form guards), the key of the form tokens, the
    store and supervisor of the page-view counter, and the web form the contact page sends
    through (None: no contact page)."""

    settings: Settings
    key: bytes
    store: Store | None = None
    supervisor: Supervisor | None = None
    form: WebForm | None = None


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
    visits: VisitCounter | None = None


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
        visits=VisitCounter(deps.store, settings.office.timezone) if deps.store else None,
    )
    app.add_routes(views.routes())
    if deps.form is not None:
        app.add_routes(contact.routes(deps.form))
    if deps.store is not None and portal.visits is not None:
        app.add_routes(visit_views.routes(deps.store, portal.visits))
    if portal.visits is not None and deps.supervisor is not None:
        _count_visits(app, portal.visits, deps.supervisor, settings.portal.visits_flush_seconds)
    return portal


def _count_visits(
    app: web.Application, counter: VisitCounter, supervisor: Supervisor, every: int
) -> None:
    """Count every portal page shown; flush the counts in a supervised loop and at the end."""

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if is_portal(request.path):
            counter.on_response(request, response)

    async def last_flush(app: web.Application) -> None:
        try:
            await counter.flush()
        except Exception:
            log.warning("portal: %d page views lost at shutdown (database down)", counter.pending)

    app.on_response_prepare.append(on_prepare)
    app.cleanup_ctx.append(supervisor.context({"cic-portal-visits": lambda: counter.run(every)}))
    app.on_shutdown.append(last_flush)


@dataclass(frozen=True)
class CaseStatusDeps:
    """The portal's case-status page: the PIN checks case status by phone uses (the same
    object: wrong attempts add up across both) and the portal's shared parts."""

    status: StatusChecks
    portal: Portal


def install_case_status(app: web.Application, deps: CaseStatusDeps) -> None:
    """Add ``/e-urzad/sprawa`` (case status by signature and PIN)."""
    portal = deps.portal
    app.add_routes(case_status.routes(deps.status, portal.lookups, portal.lookup_limit))
