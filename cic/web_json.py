"""Shared pieces of the JSON views: domain errors as JSON bodies, and reading a JSON object."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cic.errors import CicError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_errors(fn: Handler) -> Handler:
    """Answer a ``CicError`` raised by the view with its status and JSON body."""

    @functools.wraps(fn)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await fn(request)
        except CicError as exc:
            return web.json_response(exc.to_dict(), status=exc.status)

    return wrapped


async def json_object(request: web.Request, error: type[CicError]) -> dict[str, Any]:
    """The request body as a JSON object, else ``error`` ("Oczekiwano obiektu JSON.")."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise error("Oczekiwano obiektu JSON.")
    return body
