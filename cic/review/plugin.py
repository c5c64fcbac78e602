"""Adds the supervisor's review and transcript search to the application: ``install(app,
deps)`` in ``create_app``. Routes only: the transcripts and topics it reads are written by the
post-call jobs and the recordings domain."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.db import Store
from cic.review import views
from cic.review.review import Review
from cic.topics.taxonomy import load_taxonomy


@dataclass(frozen=True)
class ReviewDeps:
    """The store to read calls from, the office's time zone (weeks and months) and its
    taxonomy file (empty: the packaged one)."""

    store: Store
    timezone: str
    taxonomy: str = ""


def install(app: web.Application, deps: ReviewDeps) -> Review:
    """Add the review page and its data over the office's taxonomy."""
    review = Review(load_taxonomy(deps.taxonomy or None), deps.timezone)
    app.add_routes(views.routes(review, deps.store))
    return review
