"""Access to the controller's JSON API: a bearer token from the secrets file.

Call records are personal data, so every ``/api/`` request needs the token (the ``cic`` command
reads it from the 0600 secrets file) or a signed-in session. The controller's app uses
``cic.auth.middleware.auth_middleware``, which accepts both; ``token_middleware`` below is the
token-only check for small apps without sessions. ``check_ws_origin`` (for websockets) lives
in ``cic.auth.csrf`` and is re-exported here.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from cic.auth.csrf import check_ws_origin

__all__ = ["check_ws_origin", "token_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_middleware(token: str) -> Middleware:
    """Refuse ``/api/`` requests without ``Authorization: Bearer <token>``."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.json_response(
                    {"error": "unauthorized", "message": "Brak uprawnień: wymagany token API."},
                    status=401,
                )
        return await handler(request)

    return middleware
