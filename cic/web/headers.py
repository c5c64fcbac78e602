"""Security headers on every response: pages, API, static files, errors and redirects.

The Content-Security-Policy allows scripts, styles and fetches from this server only (no
inline script or style, no framing by any site), plus the browser softphone's SIP-over-
WebSocket connection to Asterisk's HTTP port on the host the page was opened from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), payment=(), microphone=(self)",
}


def tile_origin(tiles_url: str) -> str:
    """The origin of the safety map's tile server (``https://{s}.tile.x.org/{z}/...`` gives
    ``https://*.tile.x.org``), for ``img-src``; empty when it is this server."""
    scheme, _, rest = tiles_url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("http", "https") or not host:
        return ""
    return f"{scheme}://{host.replace('{s}', '*')}"


def content_security_policy(
    host: str, sip_ws_port: int, images: str = "", public_wss: str = ""
) -> str:
    """The policy for a page opened at ``host`` (the softphone connects to that host);
    ``images`` another origin pictures may come from (the map's tiles); ``public_wss`` the
    TLS proxy's ``host[:port]`` whose ``wss://`` carries the softphone behind it."""
    sip = f"ws://{host}:{sip_ws_port} wss://{host}:{sip_ws_port}"
    if public_wss:
        sip += f" wss://{public_wss}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{' ' + images if images else ''}",
            "media-src 'self' blob:",
            f"connect-src 'self' {sip}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(sip_ws_port: int, images: str = "", public_wss: str = "") -> Middleware:
    """The middleware; ``sip_ws_port`` is Asterisk's HTTP (WebSocket) port, ``images`` the
    map tiles' origin (see :func:`tile_origin`), ``public_wss`` the TLS proxy's address."""

    def add(request: web.Request, response: web.StreamResponse) -> None:
        if response.prepared:  # a websocket or a stream that already sent its headers
            return
        response.headers.update(FIXED)
        host = request.url.host or "127.0.0.1"
        response.headers["Content-Security-Policy"] = content_security_policy(
            host, sip_ws_port, images, public_wss
        )
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and errors raised as responses
            add(request, exc)
            raise
        add(request, response)
        return response

    return middleware
