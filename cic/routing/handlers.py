"""Glue: wire the routing service to the FastAGI server the dialplan calls."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from cic.asterisk import dialplan
from cic.asterisk.agi import AgiChannel, AgiServer, ScriptHandler
from cic.config import Settings
from cic.latency import Stages
from cic.routing.calendar import OfficeCalendar
from cic.routing.menu import Departments, MenuRouter, menu_variables
from cic.routing.service import (
    CallHistory,
    Clock,
    Matters,
    Presence,
    RoutingService,
    utc_now,
)

log = logging.getLogger(__name__)


def create_agi_server(
    settings: Settings,
    history: CallHistory,
    presence: Presence,
    clock: Clock = utc_now,
    mode: Callable[[], str] = lambda: "auto",
    calendar: OfficeCalendar | None = None,
    departments: Departments | None = None,
    matters: Matters | None = None,
    *,
    secret: str,
    stages: Stages | None = None,
) -> AgiServer:
    """A FastAGI server on ``asterisk.agi_host:agi_port`` routing with a ``RoutingService``.

    ``calendar`` is the live calendar shared with the admin pages (changed hours apply to the
    next call); without one a calendar is made from the settings. Raises ``OfficeCalendarError``
    (a ``ConfigError``) if the office calendar settings are bad. ``matters`` lets routing ring
    the owner of the caller's open case first. With ``departments`` it also
    serves ``menu``, the department menu's second question (``MenuError`` if the configured
    menu is bad). ``secret`` is the per-install FastAGI secret (``Credentials.agi_secret``);
    ``stages`` collects the time of each stage of a decision (for the status page).
    """
    office = settings.office
    calendar = calendar or OfficeCalendar(office)
    stages = stages or Stages()
    service = RoutingService(
        office, calendar, history, presence, clock, mode=mode, matters=matters, stages=stages
    )
    server = AgiServer(
        service, settings.asterisk.agi_host, settings.asterisk.agi_port, secret=secret
    )
    if departments is not None:
        server.add_script(
            "menu", menu_script(MenuRouter(office, calendar, departments, clock, stages))
        )
    return server


def menu_script(router: MenuRouter) -> ScriptHandler:
    """FastAGI ``menu``: reads ``CIC_MENUKEY`` and sets ``CIC_TARGET``, ``CIC_REASON``,
    ``CIC_NOTICE`` and, last, ``CIC_ACTION``."""

    async def choose(agi: AgiChannel, headers: Mapping[str, str]) -> None:
        call_id = await agi.get_variable(dialplan.CALL_ID) or headers.get("agi_uniqueid", "")
        key = await agi.get_variable(dialplan.MENU_KEY) or ""
        decision, notice = await router.choose(call_id, key[:1])
        for name, value in menu_variables(decision, notice):
            await agi.set_variable(name, value)
        log.info("call %s: menu -> %s (%s)", call_id, decision.target, decision.reason)

    return choose
