"""CSRF tokens and Origin/Referer checks for state-changing requests and websockets."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from aiohttp import web

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_host(url: str, request: web.Request) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return hmac.compare_digest(parts.netloc.lower(), request.host.lower())


def check_origin(request: web.Request) -> bool:
    """True when ``Origin`` (or, without it, ``Referer``) names this server's host.

    A request carrying neither is refused: browsers send ``Origin`` with every POST. The
    scheme is not compared, so a TLS reverse proxy in front of plain HTTP works.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and _same_host(origin, request)
    referer = request.headers.get("Referer")
    return referer is not None and _same_host(referer, request)


def check_ws_origin(request: web.Request) -> bool:
    """True when a websocket upgrade comes from a page of this server (``Origin`` required)."""
    origin = request.headers.get("Origin")
    return origin is not None and origin != "null" and _same_host(origin, request)


async def submitted_csrf_token(request: web.Request) -> str:
    """The token in ``X-CSRF-Token`` or, for HTML forms, the ``csrf_token`` field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.content_type in FORM_TYPES:
        try:
            form = await request.post()
        except ValueError:  # a malformed form carries no token
            return ""
        value = form.get(CSRF_FIELD)
        if isinstance(value, str):
            return value
    return ""


def tokens_match(expected: str, given: str) -> bool:
    """Constant-time comparison; an empty token never matches."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())
