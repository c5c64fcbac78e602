"""Adds the responders and dispatches: ``install(app, deps)`` in ``_install_domains``, after
the address register (whose geocoder resolves a responder's address)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from aiohttp import web

from cic.bus import Bus
from cic.db import Store
from cic.incidents.layers import MapLayer, layers_of
from cic.notify.service import NotifyService
from cic.responders import views
from cic.responders.dispatch import DispatchService, IncidentFacts
from cic.responders.handlers import watch_acknowledgements
from cic.responders.service import POLAND, Area, Geocoder, ResponderService
from cic.supervisor import Supervisor


@dataclass(frozen=True)
class RespondersDeps:
    """The store, the bus and the supervisor (the acknowledgement watcher), the notification
    store, the geocoder, the gmina's area (``safety.area``; empty: Poland), the office's time
    zone, and the incidents' facts when wired."""

    store: Store
    bus: Bus
    supervisor: Supervisor
    notify: NotifyService
    geocoder: Geocoder
    area: tuple[tuple[float, float], ...]
    zone: str
    incidents: IncidentFacts | None = None


@dataclass(frozen=True)
class Installed:
    """The two services (for tests and for the incidents' wiring)."""

    responders: ResponderService
    dispatches: DispatchService


def install(app: web.Application, deps: RespondersDeps) -> Installed:
    """Add the page, the API and the map layer; watch the notification events."""
    responders = ResponderService(deps.store, deps.geocoder, Area(deps.area or POLAND), deps.zone)
    dispatches = DispatchService(deps.store, deps.notify, responders, incidents=deps.incidents)
    app.add_routes(views.routes(responders, dispatches))
    layers_of(app).append(MapLayer("ratownicy", "Ratownicy", "/api/ratownicy/mapa"))
    app.cleanup_ctx.append(deps.supervisor.context({
        "cic-dispatch-acks": partial(watch_acknowledgements, deps.bus, dispatches),
    }))  # fmt: skip
    return Installed(responders, dispatches)
