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
    calendar: OfficeCalendar | None = None,
) -> AgiServer:
    """A FastAGI server on ``asterisk.agi_host:agi_port`` routing with a ``RoutingService``.

    ``calendar`` is the live calendar shared with the admin pages (changed hours apply to the
    next call); without one a calendar is made from the settings. Raises ``OfficeCalendarError``
    (a ``ConfigError``) if the office calendar settings are bad.
    """
    office = settings.office
    calendar = calendar or OfficeCalendar(office)
    service = RoutingService(office, calendar, history, presence, clock, mode=mode)
    return AgiServer(service, settings.asterisk.agi_host, settings.asterisk.agi_port)
