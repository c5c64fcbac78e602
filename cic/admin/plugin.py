"""Adds the administrators' pages and API to the application: ``install(app, deps)``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.admin import views
from cic.admin.service import AdminService
from cic.auth.lockout import SignInGuard


@dataclass(frozen=True)
class AdminDeps:
    """The admin service and the sign-in guard whose locks the overview shows."""

    admin: AdminService
    guard: SignInGuard | None


def install(app: web.Application, deps: AdminDeps) -> None:
    """Add the admin pages and API."""
    app.add_routes(views.routes(deps.admin, deps.guard))
