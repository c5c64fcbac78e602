"""Access to the controller's JSON API: a bearer token from the secrets file.

Call records are personal data, so every ``/api/`` request needs the token (the ``cic`` command
reads it from the 0600 secrets file). Signed-in sessions with roles come with the console.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

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
