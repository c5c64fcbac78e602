"""Adds sign-in to the application: ``install(app, deps)`` in ``create_app``.

The auth service is built before the application (its middleware needs it); this adds the
sign-in and sign-out pages, the current user, the static files, the admins' lock list, the
service under ``AUTH_SERVICE`` for the views that read it, and the loop that purges expired
sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.auth import lock_views, views
from cic.auth.service import AuthService, run_session_purger
from cic.supervisor import Supervisor


@dataclass(frozen=True)
class AuthDeps:
    """The auth service and the supervisor of the purging loop."""

    auth: AuthService
    supervisor: Supervisor


def install(app: web.Application, deps: AuthDeps) -> None:
    """Add the sign-in routes, the lock list and the session purger."""
    app[views.AUTH_SERVICE] = deps.auth
    app.add_routes(views.routes(deps.auth))
    app.add_routes(lock_views.routes(deps.auth))
    loops = {"cic-session-purger": lambda: run_session_purger(deps.auth)}
    app.cleanup_ctx.append(deps.supervisor.context(loops))
