"""Adds the dues lookup to the portal: ``install(app, deps)`` in ``_install_portal``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.db import Store
from cic.dues import views
from cic.dues.payment import Payee
from cic.dues.service import DuesLookup
from cic.portal.plugin import Portal


@dataclass(frozen=True)
class DuesDeps:
    """The store, the portal's form tokens and limits, the payee and the office's time zone."""

    store: Store
    portal: Portal
    payee: Payee
    timezone: str


def install(app: web.Application, deps: DuesDeps) -> DuesLookup:
    """Add ``/e-urzad/naleznosci``; returns the lookup (its throttle, for tests)."""
    lookup = DuesLookup(deps.store, timezone=deps.timezone)
    app.add_routes(views.routes(lookup, deps.portal, deps.payee))
    return lookup
