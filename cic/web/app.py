"""``create_app(config)``: the one aiohttp application of the controller.

``build_services`` makes the shared services; the database, bus, AMI session, FastAGI server,
the supervisor of every background loop and the tickers each have one cleanup context that
starts them and stops them cleanly, in that order. Domains with a ``plugin.py`` are installed
last with only the typed dependencies they need; their contexts start after the core's and
stop before them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.orm import Session

from cic.addresses import plugin as addresses_plugin
from cic.addresses.service import AddressBook
from cic.admin import plugin as admin_plugin
from cic.admin.office import OfficeAdmin
from cic.admin.queues import QueueAdmin
from cic.admin.service import AdminService
from cic.agents import plugin as agents_plugin
from cic.agents.service import AgentService, run_follower, run_ticker
from cic.announcements import plugin as announcements_plugin
from cic.asterisk import prompts, provision
from cic.asterisk.actions import AmiActions
from cic.asterisk.agi import AgiServer
from cic.asterisk.ami import AmiSession
from cic.asterisk.tracker import Tracker
from cic.auth import plugin as auth_plugin
from cic.auth.middleware import auth_middleware
from cic.auth.proxies import TrustedProxies, forwarded_middleware
from cic.auth.roles import guard
from cic.auth.service import AuthService
from cic.backup import plugin as backup_plugin
from cic.bus import Bus, make_bus
from cic.callbacks import plugin as callbacks_plugin
from cic.callbacks.handlers import AmiPlacer
from cic.callbacks.service import CallbackService
from cic.calls import plugin as calls_plugin
from cic.calls.handlers import CallEventHandler
from cic.calls.node_lost import NodeLostWatch
from cic.calls.service import CallService
from cic.calls.wrapup import WrapupService
from cic.cases import plugin as cases_plugin
from cic.cases.owner_index import OwnerIndex
from cic.cases.owners import MatterOwners
from cic.cases.service import Actor, CaseService, warsaw_today
from cic.cases.status import StatusChecks
from cic.channels import desk_plugin
from cic.channels import plugin as channels_plugin
from cic.channels.intake import IntakeResult
from cic.channels.webform import WebForm
from cic.config import Settings
from cic.console import plugin as console_plugin
from cic.console.phone_url import public_https_netloc
from cic.consultations import plugin as consultations_plugin
from cic.credentials import Credentials
from cic.dashboard import centre_drill, contact_centre
from cic.dashboard import plugin as dashboard_plugin
from cic.dashboard.heatmap import Heatmap, heatmap
from cic.dashboard.period import Period
from cic.dashboard.service import DashboardService
from cic.dashboard.staffing import Forecast, forecast, logged_in_now
from cic.db import Store, is_transient
from cic.departments.service import DepartmentService
from cic.dues import plugin as dues_plugin
from cic.dues.payment import Payee
from cic.incidents import plugin as incidents_plugin
from cic.incidents.errors import IncidentNotFound
from cic.incidents.service import Actor as IncidentActor
from cic.incidents.service import IncidentService
from cic.kb import plugin as kb_plugin
from cic.kb.service import KbService
from cic.latency import Stages
from cic.loop_lag import LoopLag
from cic.notify import plugin as notify_plugin
from cic.notify import voice_plugin
from cic.notify.service import NotifyService
from cic.overflow import plugin as overflow_plugin
from cic.overflow.service import FirstLineCapacity
from cic.portal import plugin as portal_plugin
from cic.postcall import jobs as post_call_jobs
from cic.postcall import plugin as postcall_plugin
from cic.privacy import plugin as privacy_plugin
from cic.recordings import plugin as recordings_plugin
from cic.recordings.service import RecordingsService
from cic.register import plugin as register_plugin
from cic.residents import plugin as residents_plugin
from cic.residents.service import ResidentService
from cic.responders import plugin as responders_plugin
from cic.responders.dispatch import CallOut
from cic.review import plugin as review_plugin
from cic.review.review import Review
from cic.routing import plugin as routing_plugin
from cic.routing.calendar import OfficeCalendar
from cic.routing.departments import StoredDepartments
from cic.routing.handlers import create_agi_server
from cic.routing.menu import spoken_menu
from cic.routing.mode import OfficeModeSwitch
from cic.spool import FileSpool
from cic.supervisor import Supervisor
from cic.transfers import plugin as transfers_plugin
from cic.wallboard import plugin as wallboard_plugin
from cic.wallboard.handlers import WallboardFeeder
from cic.wallboard.service import Wallboard
from cic.warnings import plugin as warnings_plugin
from cic.web import api_docs, monitoring
from cic.web import safety as web_safety
from cic.web import status as web_status
from cic.web.errors import error_middleware
from cic.web.headers import security_headers, tile_origin

log = logging.getLogger(__name__)


@dataclass
class DatabaseState:
    """Whether the controller has opened its database (it starts without one, see
    ``_store_ctx``); shown on the status page."""

    waiting_since: datetime | None = None
    last_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON for ``/api/status``."""
        since = self.waiting_since
        return {"ready": since is None, "waiting_since": since.isoformat() if since else None,
                "last_error": self.last_error if since else ""}  # fmt: skip


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
    admin: AdminService
    capacity: FirstLineCapacity
    callbacks: CallbackService
    residents: ResidentService
    owner_index: OwnerIndex | None = None
    database: DatabaseState = field(default_factory=lambda: DatabaseState())
    routing_stages: Stages = field(default_factory=Stages)
    loop_lag: LoopLag = field(default_factory=LoopLag)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    supervisor: Supervisor = field(default_factory=Supervisor)


SERVICES = web.AppKey("services", Services)


def build_services(settings: Settings) -> Services:
    """Wire the domain services together (nothing is started here)."""
    credentials = Credentials(settings.secrets_path)
    layout = provision.locate(settings)
    store = Store(settings.db_url)
    bus = make_bus(settings.redis_url)
    tracker = Tracker()
    calls = CallService(
        store, bus, spool=FileSpool(Path(settings.state_dir) / "spool/calls.jsonl"),
        node=settings.ha.node,
    )  # fmt: skip
    call_handler = CallEventHandler(calls, lambda p: layout.host(p))
    ami = AmiSession(
        host=settings.asterisk.ami_host,
        port=settings.asterisk.ami_port,
        username=settings.asterisk.ami_user,
        secret=credentials.ami_password,
        tracker=tracker,
    )
    pbx = AmiActions(ami)

    async def reprovision(*modules: str) -> None:
        # ``agents`` is bound below, before anything can call this (the service needs it).
        await reprovision_asterisk(
            settings, layout, credentials, agents, pbx, modules or ("res_pjsip.so",)
        )

    agents = AgentService(
        store,
        bus,
        pbx,
        wrapup_seconds=settings.office.wrapup_seconds,
        reprovision=reprovision,
        pause_reasons=settings.office.pause_reasons,
    )
    ami.add_sink(call_handler)
    ami.add_sink(agents.on_event)
    capacity = FirstLineCapacity(
        store, bus, pbx, agents, settings.overflow, settings.office.first_line_queue
    )
    callbacks = CallbackService(store, bus, AmiPlacer(ami, settings.callback), settings.callback)
    for hook in (calls.reconcile, agents.on_resync, pbx.on_resync, capacity.on_resync,
                 callbacks.on_resync):  # fmt: skip
        ami.add_resync_hook(hook)
    office_mode = OfficeModeSwitch(store, bus)
    board = Wallboard(
        settings.office.timezone,
        settings.office.service_level_seconds,
        settings.office.first_line_queue,
    )
    calendar = OfficeCalendar(settings.office)
    routing_stages, owner_index = Stages(), OwnerIndex(store)
    agi = create_agi_server(
        settings, calls, agents, mode=office_mode, calendar=calendar,
        departments=StoredDepartments(store, stages=routing_stages),
        matters=MatterOwners(store, owner_index), secret=credentials.agi_secret,
        stages=routing_stages,
    )  # fmt: skip
    admin = AdminService(
        agents,
        DepartmentService(store),
        QueueAdmin(store, lambda: reprovision("app_queue.so")),
        OfficeAdmin(
            store, settings.office, calendar,
            agents.set_pause_reasons,
            lambda: reprovision("pbx_config.so"),
            lambda: regenerate_prompts(settings, layout),
        ),
        settings.office.first_line_queue,
    )  # fmt: skip
    return Services(
        settings, credentials, layout, store, bus, tracker, ami, pbx, calls, call_handler,
        agents, agi, office_mode, calendar,
        WrapupService(store, bus, settings.office.wrapup_outcomes), board,
        WallboardFeeder(bus, board), admin, capacity, callbacks,
        ResidentService(store, pesel_key=credentials.pesel_key),
        owner_index=owner_index, routing_stages=routing_stages,
    )  # fmt: skip


async def reprovision_asterisk(
    settings: Settings,
    layout: provision.Layout,
    credentials: Credentials,
    agents: AgentService,
    pbx: AmiActions,
    modules: tuple[str, ...] = ("res_pjsip.so",),
) -> None:
    """Render the configuration again and reload ``modules`` (PJSIP by default; no restart).

    ``settings.office`` carries the administrators' stored settings (recording policy).

    With AMI down the rendered files wait on disk: Asterisk reads them when it starts, and the
    reload is repeated after the next AMI resync.
    """
    endpoints = [
        provision.EndpointSpec(a.endpoint, a.display_name, a.static_contact)
        for a in agents.agents()
    ]
    queues = [provision.QueueSpec(n, s) for n, s in await agents.queue_names()]
    await asyncio.to_thread(provision.render, settings, layout, credentials, endpoints, queues)
    for module in modules:
        await pbx.reload_when_possible(module)


async def regenerate_prompts(settings: Settings, layout: provision.Layout) -> None:
    """Synthesise the prompts whose words changed (the department menu); Asterisk plays the
    new file on the next call, no reload needed. A failure is logged: the old prompt stays."""
    target = layout.host(layout.prompts)
    try:
        await asyncio.to_thread(
            prompts.generate, settings.office, target, settings.callback.key,
            spoken_menu(settings.office), warnings_plugin.phone_prompts(settings),
        )  # fmt: skip
    except Exception:
        log.exception("regenerating the prompts failed; the previous ones stay")


def create_app(settings: Settings) -> web.Application:
    """The controller: JSON API, status page, AMI session, FastAGI server, tickers."""
    services = build_services(settings)
    auth_settings = dataclasses.replace(settings.auth, cookie_secure=settings.secure_cookies)
    auth = AuthService(services.store, auth_settings)
    app = web.Application(
        middlewares=[
            forwarded_middleware(TrustedProxies(settings.auth.trusted_proxies)),
            security_headers(
                settings.asterisk.http_port,
                tile_origin(settings.safety.tiles_url),
                public_https_netloc(settings),
            ),
            web_safety.safety_middleware(),
            error_middleware(),
            consultations_plugin.upload_limit_middleware(settings.consultations.document_max_mb),
            incidents_plugin.upload_limit_middleware(settings.safety.photo_max_mb),
            auth_middleware(auth, services.credentials.api_token, monitoring.access(services)),
        ]
    )
    app[SERVICES] = services
    # Core first: the domains' own contexts (appended by their installs) start after these
    # and stop before them, so their loops end before the store and the bus close.
    app.cleanup_ctx.extend(
        [_store_ctx, _bus_ctx, _ami_ctx, _agi_ctx, _supervisor_ctx, _tickers_ctx]
    )
    app.add_routes(web_status.routes(services))
    monitoring.install(app, services)
    auth_plugin.install(app, auth_plugin.AuthDeps(auth, services.supervisor))
    admin_plugin.install(app, admin_plugin.AdminDeps(services.admin, auth.guard))
    _install_domains(app, services)
    app.add_routes(api_docs.routes(app))
    return app


def _install_domains(app: web.Application, services: Services) -> None:
    """Each domain with a plugin gets only the typed dependencies it needs."""
    store, supervisor = services.store, services.supervisor
    calls_plugin.install(app, calls_plugin.CallsDeps(
        services.calls, services.wrapups, services.agents.interface_of,
    ))  # fmt: skip
    agents_plugin.install(app, agents_plugin.AgentsDeps(
        services.agents, store, services.settings.office.first_line_queue,
    ))  # fmt: skip
    routing_plugin.install(app, routing_plugin.RoutingDeps(
        services.office_mode, services.calendar,
    ))  # fmt: skip
    console_plugin.install(app, console_plugin.ConsoleDeps(
        services.settings, services.credentials, services.agents, services.calls, services.bus,
        services.residents, MatterOwners(store).open,
    ))  # fmt: skip
    residents_plugin.install(app, residents_plugin.ResidentsDeps(services.residents))
    wallboard_plugin.install(app, wallboard_plugin.WallboardDeps(
        services.wallboard, services.feeder, services.bus, guard("supervisor"), supervisor,
    ))  # fmt: skip
    overflow_plugin.install(app, overflow_plugin.OverflowDeps(
        services.capacity, services.wallboard, services.bus, supervisor,
    ))  # fmt: skip
    callbacks_plugin.install(app, callbacks_plugin.CallbacksDeps(
        services.callbacks, services.agi, services.settings.callback.enabled, supervisor,
    ))  # fmt: skip
    transfers_plugin.install(app, transfers_plugin.TransfersDeps(
        store, services.bus, services.pbx, services.tracker.call, services.agents, services.ami,
    ))  # fmt: skip
    kb_synonyms = services.settings.office.kb_synonyms
    kb = kb_plugin.install(app, kb_plugin.KbDeps(
        store, supervisor, calls=services.calls,
        synonyms_file=Path(kb_synonyms) if kb_synonyms else None,
    ))  # fmt: skip
    recordings = recordings_plugin.install(app, recordings_plugin.RecordingsDeps(
        services.settings, services.layout, store, supervisor, (post_call_jobs.forget,),
    ))  # fmt: skip
    postcall_plugin.install(app, postcall_plugin.PostCallDeps(
        services.settings, store, services.bus, supervisor,
    ))  # fmt: skip
    review = review_plugin.install(app, review_plugin.ReviewDeps(
        store, services.settings.office.timezone, services.settings.speech.taxonomy,
    ))  # fmt: skip
    cases = cases_plugin.install(app, cases_plugin.CasesDeps(
        store, services.agi, services.layout, services.agents.interface_of,
    ))  # fmt: skip
    settings = services.settings
    desk_plugin.install(app, desk_plugin.DeskDeps(
        store, settings.channels.reply_days, settings.office.timezone, settings.speech.taxonomy,
        services.credentials.pesel_key, services.agents.interface_of,
    ))  # fmt: skip
    privacy_plugin.install(app, privacy_plugin.PrivacyDeps(
        store, services.settings,
        recordings_plugin.root_for(services.settings, services.layout),
        services.calls.last_agents.forget, services.residents.search,
    ))  # fmt: skip
    backup_plugin.install(app, backup_plugin.BackupDeps(services.settings, services.supervisor))

    zone = services.settings.office.timezone
    channels = channels_plugin.install(app, channels_plugin.ChannelsDeps(
        services.settings, store, services.bus, supervisor, lambda: warsaw_today(zone),
        services.agents.interface_of,
    ))  # fmt: skip
    services.residents.add_contact_source(channels.service.contacts_of)

    async def form_arrived(result: IntakeResult) -> None:
        if result.acknowledged and channels.outbox is not None:
            channels.outbox.poke()
        await channels.service.announce_new(result.report_id)

    form = desk_plugin.install_form(app, desk_plugin.FormDeps(
        store, settings.channels, services.credentials.form_key, channels.policy, form_arrived,
    ))  # fmt: skip
    book = addresses_plugin.install(app, addresses_plugin.AddressDeps(store, settings.safety))
    incidents = incidents_plugin.install(app, incidents_plugin.IncidentsDeps(
        store, settings.safety, settings.office.timezone,
        Path(settings.state_dir) / "zagrozenia", book,
    ))  # fmt: skip
    portal = None
    if settings.portal.enabled:
        portal = _install_portal(app, services, form, kb, cases.status, incidents)
    # The notification senders (SMS, e-mail; the voice sender adds its loop beside them).
    notify = notify_plugin.install(app, notify_plugin.NotifyDeps(
        settings, store, services.bus, supervisor, services.credentials.form_key,
        services.credentials.sms_token, portal,
    ))  # fmt: skip
    voice_plugin.install_voice(app, voice_plugin.VoiceDeps(
        services.settings, notify.service, services.ami, services.agi, services.layout,
        supervisor,
    ))  # fmt: skip
    if portal is not None:  # the warnings' pages use the portal's form tokens
        warnings = warnings_plugin.install(app, warnings_plugin.WarningsDeps(
            settings, store, services.bus, supervisor, services.credentials.form_key, portal,
            services.agi, notify=notify.service,
        ))  # fmt: skip
        if notify.email is not None:  # each warning e-mail carries its one-click unsubscribe
            notify.email.add_unsubscribe("warning", warnings.subscriptions.unsubscribe_link_for)

    async def case_contacts(call_ids: list[str], username: str, role: str) -> dict[str, Any]:
        return await cases.service.for_calls(call_ids, Actor(username, role))

    services.residents.add_history_source(case_contacts)
    _install_register(app, services, review, recordings, cases.service, incidents)
    _install_responders(app, services, book, incidents, notify.service)
    _install_dashboard(app, services)


def _install_dashboard(app: web.Application, services: Services) -> None:
    """The dashboard of measures (``/wskazniki``): the strategy's section, then the contact
    centre's figures, its heat map and the first line's staffing forecast, over the store,
    with the office's name and zone for its pages and the council report."""
    settings, store = services.settings, services.store
    zone, queue = settings.office.timezone, settings.office.first_line_queue

    measures = DashboardService(
        store, settings.dashboard, zone, settings.portal.enabled,
        providers=[(contact_centre.SECTION, contact_centre.TITLE,
                    contact_centre.provider(settings.dashboard, settings.office))],
        drills=centre_drill.sources(settings.office),
    )  # fmt: skip

    async def centre(period: Period, weekday: int | None) -> tuple[Heatmap, Forecast]:
        live = logged_in_now(services.agents, queue)

        def read(session: Session) -> tuple[Heatmap, Forecast]:
            plan = forecast(session, period, settings.dashboard, settings.office, weekday, live)
            return heatmap(session, period), plan

        return await store.run(read)

    dashboard_plugin.install(app, dashboard_plugin.DashboardDeps(
        measures, settings.office.name, zone, lambda: warsaw_today(zone), centre,
    ))  # fmt: skip


def _install_register(
    app: web.Application, services: Services, review: Review, recordings: RecordingsService,
    cases: CaseService, incidents: IncidentService,
) -> None:  # fmt: skip
    """The supervisors' call register, reading transcripts, cases and incidents through
    their own services (so each read is authorised and audited there)."""

    async def transcript(call_id: str, actor: Actor) -> Mapping[str, Any]:
        return await recordings.transcript(call_id, actor)

    async def incident_links(call_id: str, actor: Actor) -> list[dict[str, Any]]:
        found = await incidents.for_call(IncidentActor(actor.username, actor.role), call_id)
        return [{"id": i.id, "title": i.title, "status_label": i.status_label,
                 "category_name": i.category_name} for i in found]  # fmt: skip

    register_plugin.install(app, register_plugin.RegisterDeps(
        services.store, review, services.settings.office.timezone, transcript,
        cases.for_calls, incident_links,
    ))  # fmt: skip


def _install_responders(
    app: web.Application, services: Services, book: AddressBook, incidents: IncidentService,
    notify: NotifyService,
) -> None:  # fmt: skip
    """The responders and their dispatches: the base address through the address register,
    the call-out's facts from the incident, sent through the notification store."""
    settings = services.settings
    system = IncidentActor("wyjazdy", "supervisor")  # reads the incident a dispatcher named

    async def facts(incident_id: int) -> CallOut | None:
        try:
            found = await incidents.get(system, incident_id)
        except IncidentNotFound:
            return None
        return CallOut(found.category_name, found.address or f"{found.lat:.5f}, {found.lon:.5f}",
                       found.description)  # fmt: skip

    area = tuple((lat, lon) for lat, lon in settings.safety.area)
    responders_plugin.install(app, responders_plugin.RespondersDeps(
        services.store, services.bus, services.supervisor, notify, book, area,
        settings.office.timezone, facts,
    ))  # fmt: skip


def _install_portal(
    app: web.Application, services: Services, form: WebForm, kb: KbService,
    case_status: StatusChecks, incidents: IncidentService,
) -> portal_plugin.Portal:  # fmt: skip
    """The resident portal: its shared pages first, then each section with the portal's form
    tokens and limits; returns its shared parts (the notifications' confirmation page takes
    them)."""
    settings = services.settings
    portal = portal_plugin.install(app, portal_plugin.PortalDeps(
        settings, services.credentials.form_key, services.store, services.supervisor, form,
    ))  # fmt: skip
    consultations_plugin.install(app, consultations_plugin.ConsultationDeps(
        services.store, settings.consultations, settings.office.timezone,
        tuple(settings.portal.solectwa), Path(settings.state_dir) / "konsultacje",
        portal.messages,
    ))  # fmt: skip
    payee = Payee(settings.dues.payee_name or settings.office.name, settings.dues.payee_nip)
    dues_plugin.install(app, dues_plugin.DuesDeps(
        services.store, portal, payee, settings.office.timezone,
    ))  # fmt: skip
    kb_plugin.install_catalogue(app, kb_plugin.CatalogueDeps(kb))
    portal_plugin.install_case_status(app, portal_plugin.CaseStatusDeps(case_status, portal))
    announcements_plugin.install(app, announcements_plugin.AnnouncementsDeps(
        settings, services.store, services.supervisor, services.credentials.form_key, portal,
    ))  # fmt: skip
    incidents_plugin.install_portal(app, incidents_plugin.PortalReportDeps(
        incidents, settings.safety, portal.messages, form,
    ))  # fmt: skip
    return portal


async def _store_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    try:
        await _open_store(services)
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.error(
            "database unreachable at start (%s): calls are answered and routed without it, "
            "their records kept on disk and written when it is back", exc,
        )  # fmt: skip
        services.database.waiting_since = datetime.now(UTC)
        services.calls.backlog.hold = True  # not migrated yet: write nothing before that
        await services.calls.recover()  # the spool's records first, in their order
        services.supervisor.start("cic-database-wait", lambda: _open_store_when_back(services))
    yield
    await services.supervisor.stop(["cic-database-wait"])
    await services.call_handler.drain()
    await services.calls.flush()
    await services.store.close()


async def _open_store(services: Services, *, recover: bool = True) -> None:
    """Migrate the database and load what the controller keeps in memory."""
    await asyncio.to_thread(services.store.migrate)
    await services.admin.office.load()
    await services.agents.ensure_queue(services.settings.office.first_line_queue, "Pierwsza linia")
    await services.agents.load()
    await services.office_mode.load()
    await services.capacity.load()
    if recover:
        await services.calls.recover()  # call records kept on disk through an outage and a restart
    lookback = timedelta(days=services.settings.office.last_agent_lookback_days)
    await services.calls.load_last_agents(datetime.now(UTC) - lookback)
    await _load_wallboard(services)


async def _open_store_when_back(services: Services, max_delay: float = 30.0) -> None:
    """Try :func:`_open_store` again (1 s doubling to ``max_delay``) until the database is
    there; then write what was kept meanwhile and refresh the live state from Asterisk."""
    delay = 1.0
    while True:
        await asyncio.sleep(delay)
        try:
            await _open_store(services, recover=False)
        except Exception as exc:
            services.database.last_error = str(exc).splitlines()[0][:200] if str(exc) else ""
            if not is_transient(exc):
                log.exception("opening the database failed; trying again in %.0f s", delay)
            delay = min(delay * 2, max_delay)
            continue
        break
    services.database.waiting_since = None
    services.calls.backlog.hold = False
    await services.calls.flush()
    services.ami.request_resync()  # agents were loaded late: their presence anew
    log.warning("database reachable: loaded, and the records kept meanwhile are being written")


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


async def _supervisor_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[SERVICES].supervisor.stop()  # whatever is still running, before AGI, AMI, bus, store


async def _tickers_ctx(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    start = services.supervisor.start
    start("cic-presence-ticker", lambda: run_ticker(services.agents))
    start("cic-loop-lag", services.loop_lag.run)
    if services.owner_index is not None:
        start("cic-open-matters-index", services.owner_index.run)
    start("cic-calls-flush", lambda: _flush_forever(services.calls))
    if services.settings.ha.node:  # one node of several: close its calls when it is gone
        watch = NodeLostWatch(
            services.calls,
            lambda: services.ami.stats.down_since(services.started_at),
            services.settings.ha.node_lost_seconds,
        )
        start("cic-node-lost", watch.run)
        # logins and pauses made through another node's controller, onto this node's queues
        start("cic-agents-follow", lambda: run_follower(services.agents))
    yield


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
    services.wallboard.load_borrowed({e.username: e.added_by for e in services.capacity.borrowed()})
    open_callbacks = await services.callbacks.open() + await services.callbacks.requests("failed")
    services.wallboard.load_callbacks([c.to_json() for c in open_callbacks])


async def _flush_forever(calls: CallService, interval: float = 2.0) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await calls.flush()
        except Exception:
            log.exception("retrying kept call-record writes failed")
