"""The controller's access log, without personal data.

aiohttp's default access log writes the request line as sent, so a caller lookup
(``/api/residents/lookup?number=…``), a resident or transcript search (``?q=…``) or a number in
a path (``/api/residents/7/numbers/48600100200``) would put phone numbers and search words into
``cic.log``. This logger writes the route's pattern when the request matched one
(``/api/residents/{id}/numbers/{number}``), otherwise the path with every run of digits
replaced by ``#``; never the query string, the referrer or the user agent.
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

DIGITS = re.compile(r"\d+")
MAX_PATH = 200


def loggable_path(request: web.BaseRequest) -> str:
    """The route pattern, or the path with digits masked; no query string."""
    match_info = getattr(request, "match_info", None)
    if isinstance(match_info, web.UrlMappingMatchInfo) and match_info.route.resource is not None:
        pattern = match_info.route.resource.canonical
        if isinstance(pattern, str) and pattern:
            return pattern[:MAX_PATH]
    return DIGITS.sub("#", request.path)[:MAX_PATH]


class PrivateAccessLogger(AbstractAccessLogger):
    """``<address> "<METHOD> <pattern>" <status> <bytes> <seconds>`` per request."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write one line for a finished request."""
        self.logger.info(
            '%s "%s %s" %s %s %.3f',
            request.remote or "-",
            request.method,
            loggable_path(request),
            response.status,
            response.body_length,
            time,
        )
