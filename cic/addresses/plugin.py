"""Adds the address suggestions and the geocoder: ``install(app, deps)`` in
``_install_domains``; the returned :class:`AddressBook` is the geocoder other domains use."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from cic.addresses import views
from cic.addresses.service import AddressBook
from cic.channels.ratelimit import HourlyLimit
from cic.config import SafetySettings
from cic.db import Store


@dataclass(frozen=True)
class AddressDeps:
    """The store and the safety settings (the public suggestions' hourly limit)."""

    store: Store
    settings: SafetySettings


def install(app: web.Application, deps: AddressDeps) -> AddressBook:
    """Add ``/api/adresy``, ``/api/adresy/punkt`` and ``/e-urzad/adresy``; returns the
    geocoder."""
    book = AddressBook(deps.store)
    per_hour = deps.settings.address_lookups_per_hour
    app.add_routes(views.routes(book, HourlyLimit(per_hour, per_hour * 100)))
    return book
