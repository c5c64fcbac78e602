"""``create_app(config)``: the one aiohttp application of the controller.

The database, bus, AMI session, FastAGI server and background tickers each have one cleanup
context that starts them and stops them cleanly, in that order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from cic import web_status
from cic.agents import views as agent_views
from cic.agents.service import AgentService, run_ticker
from cic.asterisk import provision
from cic.asterisk.actions import AmiActions
from cic.asterisk.agi import AgiServer
from cic.asterisk.ami import AmiSession
from cic.asterisk.tracker import Tracker
from cic.auth import views as auth_views
from cic.auth.middleware import auth_middleware
from cic.auth.roles import guard
from cic.auth.service import AuthService, run_session_purger
from cic.bus import Bus, make_bus
from cic.calls import views as call_views
from cic.calls import wrapup_views
from cic.calls.handlers import CallEventHandler
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService
from cic.config import Settings
from cic.console import views as console_views
from cic.credentials import Credentials
from cic.db import Store
from cic.routing import views as routing_views
from cic.routing.calendar import OfficeCalendar
from cic.routing.handlers import create_agi_server
from cic.routing.mode import OfficeModeSwitch
from cic.wallboard import views as wallboard_views
from cic.wallboard.handlers import WallboardFeeder
from cic.wallboard.service import Wallboard

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything the views need, built once per application."""

    settings: Settings
    credentials: Credentials
    layout: provision.Layout
    store: Store
    bus: Bus
    tracker: Tracker
    ami: AmiSession
    pbx: AmiActions
    calls: CallService
    call_handler: CallEventHandler
    agents: AgentService
    agi: AgiServer
    office_mode: OfficeModeSwitch
    calendar: OfficeCalendar
    wrapups: WrapupService
    wallboard: Wallboard
    feeder: WallboardFeeder
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


SERVICES = web.AppKey("services", Services)


def build_services(settings: Settings) -> Services:
    """Wire the domain services together (nothing is started here)."""
    credentials = Credentials(settings.secrets_path)
    layout = provision.locate(settings)
    store = Store(settings.db_url)
    bus = make_bus(settings.redis_url)
    tracker = Tracker()
    calls = CallService(store, bus)
    call_handler = CallEventHandler(calls, lambda p: layout.host(p))
    ami = AmiSession(
        host=settings.asterisk.ami_host,
        port=settings.asterisk.ami_port,
        username=settings.asterisk.ami_user,
        secret=credentials.ami_password,
        tracker=tracker,
        sinks=[],
        on_resync=[],
    )
    pbx = AmiActions(ami)
    holder: dict[str, AgentService] = {}

    async def reprovision() -> None:
        await reprovision_asterisk(settings, layout, credentials, holder["agents"], pbx)

    agents = AgentService(
        store,
        bus,
        pbx,
        wrapup_seconds=settings.office.wrapup_seconds,
        reprovision=reprovision,
        pause_reasons=settings.office.pause_reasons,
    )
    holder["agents"] = agents
    ami.sinks.extend([call_handler, agents.on_event])
    ami.on_resync.extend([calls.reconcile, agents.on_resync, pbx.on_resync])
    office_mode = OfficeModeSwitch(store, bus)
    board = Wallboard(settings.office.timezone, settings.office.service_level_seconds)
    agi = create_agi_server(settings, calls, agents, mode=office_mode)
    return Services(
        settings, credentials, layout, store, bus, tracker, ami, pbx, calls, call_handler,
        agents, agi, office_mode, OfficeCalendar(settings.office),
        WrapupService(store, bus, settings.office.wrapup_outcomes), board,
        WallboardFeeder(bus, board),
    )  # fmt: skip


async def reprovision_asterisk(
    settings: Settings,
    layout: provision.Layout,
    credentials: Credentials,
    agents: AgentService,
    pbx: AmiActions,
) -> None:
    """Render the configuration again from the store and reload PJSIP (no restart).

    With AMI down the rendered files wait on disk: Asterisk reads them when it starts, and the
    reload is repeated after the next AMI resync.
    """
    endpoints = [
        provision.EndpointSpec(a.endpoint, a.display_name, a.static_contact)
        for a in agents.agents()
    ]
    queues = [provision.QueueSpec(n, s) for n, s in await agents.queue_names()]
    await asyncio.to_thread(provision.render, settings, layout, credentials, endpoints, queues)
    await pbx.reload_when_possible("res_pjsip.so")


def create_app(settings: Settings) -> web.Application:
    """The controller: JSON API, status page, AMI session, FastAGI server, tickers."""
    services = build_services(settings)
    auth = AuthService(services.store)
    app = web.Application(middlewares=[auth_middleware(auth, services.credentials.api_token)])
    app[SERVICES] = services
    app[auth_views.AUTH_SERVICE] = auth
    app.add_routes(auth_views.routes(auth))
    app.add_routes(call_views.routes(services.calls))
    app.add_routes(agent_views.routes(services.agents, settings.office.first_line_queue))
    app.add_routes(routing_views.routes(services.office_mode, services.calendar))
    app.add_routes(web_status.routes(services))
    app.add_routes(
        wrapup_views.routes(services.wrapups, services.calls, services.agents.interface_of)
    )
    app.add_routes(
        console_views.routes(
            settings, services.credentials, services.agents, services.calls, services.bus
        )
    )
    app.add_routes(wallboard_views.routes(services.wallboard, services.bus, guard("supervisor")))
    app.cleanup_ctx.extend([_store_ctx, _bus_ctx, _ami_ctx, _agi_ctx, _tickers_ctx, _auth_ctx])
    return app


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    await asyncio.to_thread(services.store.migrate)
    await services.agents.ensure_queue(services.settings.office.first_line_queue, "Pierwsza linia")
    await services.agents.load()
    await services.office_mode.load()
    lookback = timedelta(days=services.settings.office.last_agent_lookback_days)
    await services.calls.load_last_agents(datetime.now(UTC) - lookback)
    await _load_wallboard(services)
    yield
    await services.call_handler.drain()
    await services.calls.flush()
    await services.store.close()


async def _bus_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[SERVICES].bus.close()


async def _ami_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    await services.ami.start()
    yield
    await services.ami.stop()


async def _agi_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    await services.agi.start()
    yield
    await services.agi.stop()


async def _tickers_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    services.tasks = [
        asyncio.create_task(run_ticker(services.agents), name="cic-presence-ticker"),
        asyncio.create_task(_flush_forever(services.calls), name="cic-calls-flush"),
        asyncio.create_task(services.feeder.consume(), name="cic-wallboard-in"),
        asyncio.create_task(services.feeder.publish(), name="cic-wallboard-out"),
    ]
    yield
    for task in services.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _load_wallboard(services: Services) -> None:
    """Start the wallboard from today's records and the agents' presence."""
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(services.settings.office.timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    today = await services.calls.list_calls(limit=500, since=midnight)
    services.wallboard.load_calls(today, now)
    services.wallboard.load_agents(
        [services.agents.presence(a.username) for a in services.agents.agents()]
    )


async def _auth_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(
        run_session_purger(app[auth_views.AUTH_SERVICE]), name="cic-session-purger"
    )
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _flush_forever(calls: CallService, interval: float = 2.0) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await calls.flush()
        except Exception:
            log.exception("retrying kept call-record writes failed")
