"""Glue: wire the routing service to the FastAGI server the dialplan calls."""

from __future__ import annotations

from collections.abc import Callable

from cic.asterisk.agi import AgiServer
from cic.config import Settings
from cic.routing.calendar import OfficeCalendar
from cic.routing.service import CallHistory, Clock, Presence, RoutingService, utc_now


def create_agi_server(
    settings: Settings,
    history: CallHistory,
    presence: Presence,
    clock: Clock = utc_now,
    mode: Callable[[], str] = lambda: "auto",
) -> AgiServer:
    """A FastAGI server on ``asterisk.agi_host:agi_port`` routing with a ``RoutingService``.

    Raises ``OfficeCalendarError`` (a ``ConfigError``) if the office calendar settings are bad.
    """
    office = settings.office
    service = RoutingService(office, OfficeCalendar(office), history, presence, clock, mode=mode)
    return AgiServer(service, settings.asterisk.agi_host, settings.asterisk.agi_port)
