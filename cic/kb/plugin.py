"""Adds the knowledge base to the application: ``install(app, deps)`` in ``create_app``.

The article files are imported and the search index built in the background after start-up
(the store's cleanup context has migrated the database by then): loading simplemma's Polish
dictionary takes a few seconds and the controller should not wait for it to answer calls.
Until the first index is built, search answers ``"ready": false`` with no results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from cic.assets import AssetMissing
from cic.calls.history import earlier_calls
from cic.calls.service import CallService
from cic.db import Store
from cic.kb import portal_views, views
from cic.kb.catalogue import ServiceCatalogue
from cic.kb.service import DEFAULT_DIR, KbService
from cic.kb.synonyms import SynonymMap, SynonymsError, default_file, load_synonyms, read_synonyms
from cic.supervisor import Supervisor

log = logging.getLogger(__name__)
KB = web.AppKey("kb", KbService)


async def load_logged(service: KbService, max_delay: float = 60.0) -> None:
    """Import and index; a failure is logged (search stays empty meanwhile) and tried again,
    1 s doubling to ``max_delay`` (the database may be down when the controller starts)."""
    delay = 1.0
    while True:
        try:
            await service.load()
            return
        except Exception:
            log.exception("kb: importing or indexing the articles failed; again in %.0f s", delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)


@dataclass(frozen=True)
class KbDeps:
    """What the knowledge base needs: its store, the supervisor of its start-up import, where
    the article files are, (for suggestions during a call) the calls service, and the office's
    own synonyms file (setting ``office.kb_synonyms``; the packaged one is always read)."""

    store: Store
    supervisor: Supervisor
    directory: Path | None = DEFAULT_DIR
    calls: CallService | None = None
    synonyms_file: Path | None = None


def office_synonyms(own: Path | None) -> SynonymMap:
    """The packaged synonyms plus the office's file; a file that cannot be used is logged and
    left out (search still works, with fewer colloquial words)."""
    merged: SynonymMap = {}
    try:
        merged = load_synonyms(default_file())
    except (SynonymsError, AssetMissing):
        log.exception("kb: the packaged synonyms file cannot be used")
    if own is not None:
        try:
            merged.update(read_synonyms(own))
        except SynonymsError:
            log.exception("kb: the office's synonyms file (office.kb_synonyms) is left out")
    return merged


def install(app: web.Application, deps: KbDeps) -> KbService:
    """Build the service, keep it under ``app[KB]``, add its routes and the start-up import;
    with ``deps.calls`` also the suggestions for a call in hand."""
    store = deps.store
    service = KbService(store, deps.directory, office_synonyms(deps.synonyms_file))
    app[KB] = service
    app.add_routes(views.routes(service))
    if deps.calls is not None:

        async def earlier(number: str, exclude: str) -> Sequence[Mapping[str, Any]]:
            return await earlier_calls(store, number, exclude=exclude, limit=5)

        app.add_routes(views.call_routes(service, deps.calls.get_call, earlier))

    app.cleanup_ctx.append(deps.supervisor.context({"cic-kb-load": lambda: load_logged(service)}))
    return service


@dataclass(frozen=True)
class CatalogueDeps:
    """The portal's e-services catalogue: the knowledge base its cards come from."""

    kb: KbService


def install_catalogue(app: web.Application, deps: CatalogueDeps) -> ServiceCatalogue:
    """Add the catalogue's pages (``/e-urzad/uslugi``); returns the catalogue."""
    catalogue = ServiceCatalogue(deps.kb)
    app.add_routes(portal_views.routes(catalogue))
    return catalogue
