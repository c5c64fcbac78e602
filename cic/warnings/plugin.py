"""Adds warnings to residents to the application: ``install(app, deps)`` in ``_install_portal``
(after the portal's shared parts, whose form tokens it takes).

The staff's page and API, the residents' pages, the portal banner (through the portal's
``BANNERS`` hook: the portal does not import this domain), the front desk's section, the
FastAGI step of subscribing by phone, and the loop that keeps the banner current.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from cic.asterisk.agi import AgiServer
from cic.bus import Bus
from cic.channels.ratelimit import HourlyLimit
from cic.config import Settings
from cic.db import Store, utcnow
from cic.notify.service import NotifyService
from cic.portal.plugin import Portal
from cic.portal.site import BANNERS, PortalBanner
from cic.supervisor import Supervisor
from cic.warnings import phone, portal_views, views
from cic.warnings.service import WarningService
from cic.warnings.subscriptions import Subscriptions

WARNINGS = web.AppKey("warnings", WarningService)
LOOP = "cic-warnings-banner"


@dataclass(frozen=True)
class WarningsDeps:
    """Settings, the store and bus (the notify store's), the supervisor of the banner loop,
    the office's form key (codes and unsubscribe links are signed with a key derived from
    it), the portal's shared parts, the FastAGI server (None: no subscribing by phone); for
    tests a clock and a notify service of their own."""

    settings: Settings
    store: Store
    bus: Bus
    supervisor: Supervisor
    key: bytes
    portal: Portal
    agi: AgiServer | None = None
    now: Callable[[], datetime] = utcnow
    notify: NotifyService | None = None
    poll_seconds: float = 30


@dataclass(frozen=True)
class Warnings:
    """What the plugin built."""

    service: WarningService
    subscriptions: Subscriptions
    notify: NotifyService


def phone_prompts(settings: Settings) -> dict[str, str]:
    """The prompts of subscribing by phone (generated with the office's other prompts)."""
    return phone.prompt_texts(
        settings.office.name, settings.warnings.consent_text, settings.portal.solectwa
    )


def public_base(settings: Settings) -> str:
    """The portal's public address for links in e-mails."""
    return settings.public_url.rstrip("/") or f"http://{settings.web_host}:{settings.web_port}"


def install(app: web.Application, deps: WarningsDeps) -> Warnings:
    """Build the services, add the routes, the banner hook, the FastAGI step and the loop."""
    settings, rules = deps.settings, deps.settings.warnings
    solectwa = tuple(settings.portal.solectwa)
    notify = deps.notify or NotifyService(deps.store, deps.bus, now=deps.now)
    service = WarningService(deps.store, notify, solectwa, rules.sms_max_chars, deps.now)
    key = hmac.new(deps.key, b"cic-warning-subscriptions", hashlib.sha256).digest()
    subs = Subscriptions(
        deps.store, notify, key, public_base(settings), settings.office.name,
        rules.consent_text, rules.consent_version, solectwa, rules.code_minutes,
        rules.code_attempts, deps.now,
    )  # fmt: skip
    app[WARNINGS] = service

    def banners() -> list[PortalBanner]:
        now = deps.now()
        found = [b for b in service.banners() if b.valid_until > now]
        path = portal_views.LIST
        return [
            PortalBanner(b.title, b.text, b.severity, b.severity_label, b.area, f"{path}/{b.id}")
            for b in found
        ]

    app[BANNERS] = banners
    zone = settings.office.timezone
    section = portal_views.PortalSection(
        service, subs, deps.portal.messages, deps.portal.lookups,
        HourlyLimit(rules.per_hour, rules.per_hour * 100),
        HourlyLimit(rules.per_address_per_hour, 100_000), zone,
    )  # fmt: skip
    app.add_routes(portal_views.routes(section))
    app.add_routes(views.routes(service, subs, zone))
    if deps.agi is not None:
        deps.agi.add_script(phone.SCRIPT, phone.subscribe_script(subs), timeout=10.0)
    every = deps.poll_seconds

    async def loop() -> None:
        """Keep the banner current and drop requests nobody confirmed."""
        while True:
            await service.refresh()
            await subs.purge()
            await asyncio.sleep(every)

    app.cleanup_ctx.append(deps.supervisor.context({LOOP: loop}))
    return Warnings(service, subs, notify)
