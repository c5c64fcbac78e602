"""The size limit of an editor's document upload.

aiohttp refuses request bodies over the application's ``client_max_size`` (1 MiB), and the
auth middleware reads an HTML form's body (to find its CSRF token) before any view runs. This
middleware, placed before the auth middleware, lets the one upload route take bodies up to the
document limit (plus room for the form's other fields) and answers a bigger one with a Polish
413 page instead of aiohttp's English text. Every other route keeps the default limit.
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from cic.auth.templates import error_response
from cic.consultations.errors import DocumentTooBig

UPLOAD = re.compile(r"^/redakcja/konsultacje/[0-9]{1,12}/dokumenty$")
FORM_ROOM = 64 * 1024


def upload_limit_middleware(max_mb: int) -> Middleware:
    """The middleware for documents of at most ``max_mb`` megabytes."""
    limit = max_mb * 1024 * 1024 + FORM_ROOM

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or not UPLOAD.match(request.path):
            return await handler(request)
        roomy = request.clone(client_max_size=limit)
        try:
            return await handler(roomy)
        except web.HTTPRequestEntityTooLarge:
            return error_response(
                roomy, DocumentTooBig(f"Plik jest za duży: najwyżej {max_mb} MB.")
            )

    return middleware
