"""What an HTTP endpoint says about itself for the OpenAPI document: ``@documented(...)``.

A view is decorated with a Polish summary (what an integrator reads in ``/api/docs``) and,
where it has them, the JSON Schemas of its request body, query parameters and answer. The
document (``cic.web.openapi``) is generated from the app's routes and these notes, so a route
cannot be left out of it: a test fails for any route without a summary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ATTRIBUTE = "__cic_endpoint__"


@dataclass(frozen=True)
class Endpoint:
    """The documentation of one endpoint. ``body``, ``query`` and ``returns`` are each a JSON
    Schema as a dict or a type pydantic describes (a ``cic.http.schemas.Body`` or ``Query``
    model, ``list[Model]``, a ``TypedDict``): ``cic.http.schemas.json_schema`` turns it into
    the schema."""

    summary: str
    description: str = ""
    body: Any = None
    query: Any = field(default_factory=dict)
    returns: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    also: Mapping[int, str] = field(default_factory=dict)
    media: str = ""


def documented(
    summary: str,
    *,
    description: str = "",
    body: Any = None,
    query: Any = None,
    returns: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    also: Mapping[int, str] | None = None,
    media: str = "",
) -> Callable[[Handler], Handler]:
    """Attach an :class:`Endpoint` to the view (decorators made with ``functools.wraps`` keep
    it, so the order among them does not matter). ``also``: other successful answers (a
    redirect, a second status) with what they mean; ``media``: the answer's content type when
    it is a file, not JSON or a page (``audio/wav``, ``text/csv``, ``application/zip``)."""
    note = Endpoint(
        summary, description, body, query or {}, returns, status, errors, dict(also or {}),
        media,
    )  # fmt: skip

    def attach(handler: Handler) -> Handler:
        setattr(handler, ATTRIBUTE, note)
        return handler

    return attach


def endpoint_of(handler: Any) -> Endpoint | None:
    """The handler's :class:`Endpoint`, looked for through ``__wrapped__`` as well."""
    seen = 0
    while handler is not None and seen < 20:
        note = getattr(handler, ATTRIBUTE, None)
        if isinstance(note, Endpoint):
            return note
        handler = getattr(handler, "__wrapped__", None)
        seen += 1
    return None
