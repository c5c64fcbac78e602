"""Adds the notification senders to the application: ``install(app, deps)`` in
``create_app``.

Always: the notification store (``app[NOTIFY]``, the ``NotifyService`` the warnings and the
responders send through) and the supervisors' JSON API. With ``sms.enabled``: the SMS sender
through the configured gateway. With ``mail.enabled``: the e-mail sender through the office's
SMTP server. With the portal: the confirmation page, and links in ``confirm=True`` messages.
Each sender is a supervised loop that recovers its channel's interrupted deliveries first.

The voice sender (calls through Asterisk) adds its own loop from ``cic/notify/voice*.py``:
it takes ``app[SENDERS]`` (the ``Notify`` built here), sends through ``Notify.service`` and
registers its state with ``Notify.add_state``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from cic.announcements.plugin import public_base
from cic.bus import Bus
from cic.channels.outbox import SenderIdentity, Transport
from cic.channels.plugin import message_domain, smtp_account
from cic.config import Settings, SmsSettings
from cic.db import Store, utcnow
from cic.mail.smtp import SmtpSender
from cic.notify import api_views, views
from cic.notify.links import ConfirmLinks, confirm_key
from cic.notify.reports import NotifyReports
from cic.notify.senders import EmailSender, SenderState, SmsSender
from cic.notify.service import NotifyService
from cic.portal.plugin import Portal
from cic.sms.provider import Provider
from cic.sms.smsapi import SmsApi
from cic.supervisor import Loop, Supervisor

log = logging.getLogger(__name__)
NOTIFY = web.AppKey("notify", NotifyService)
SMS_LOOP = "cic-notify-sms"
EMAIL_LOOP = "cic-notify-email"


@dataclass(frozen=True)
class NotifyDeps:
    """Settings, the store and bus, the supervisor of the loops, the credentials' form key
    (the confirmation links' key is derived from it) and the SMS token kept in the secrets
    file, the portal's shared parts (None: no confirmation page, no links); for tests a
    clock, an SMTP transport and an SMS provider in place of the real ones."""

    settings: Settings
    store: Store
    bus: Bus
    supervisor: Supervisor
    form_key: bytes
    sms_token: str = ""
    portal: Portal | None = None
    now: Callable[[], datetime] = utcnow
    transport: Transport | None = None
    provider: Provider | None = None


@dataclass
class Notify:
    """What the plugin built: the service, the senders (None when off) and their states."""

    service: NotifyService
    sms: SmsSender | None = None
    email: EmailSender | None = None
    states: list[SenderState] = field(default_factory=list)

    def add_state(self, state: SenderState) -> None:
        """Show another sender's state (the voice sender's) in the supervisors' API."""
        self.states.append(state)


#: What ``install`` built, for the voice sender's plugin (``add_state``) and tests.
SENDERS = web.AppKey("notify_senders", Notify)


def provider_for(sms: SmsSettings, token: str) -> Provider:
    """The gateway client ``sms.provider`` names (``token``: settings' first, then the file's)."""
    return SmsApi(
        sms.token or token, base_url=sms.base_url, sender=sms.sender, normalize=sms.normalize,
        timeout=sms.timeout_seconds, max_parts=sms.max_parts,
    )  # fmt: skip


def install(app: web.Application, deps: NotifyDeps) -> Notify:
    """Build the service, the senders and the routes; run the senders with the app."""
    settings, config = deps.settings, deps.settings.notify
    service = NotifyService(
        deps.store, deps.bus, retry_seconds=config.retry_seconds, now=deps.now,
        attempts={"voice": config.voice_attempts, "sms": config.sms_attempts,
                  "email": config.email_attempts},
    )  # fmt: skip
    app[NOTIFY] = service
    notify = Notify(service)
    links = None
    if deps.portal is not None:
        links = ConfirmLinks(confirm_key(deps.form_key), public_base(settings))
        app.add_routes(views.routes(service, links, deps.portal.lookups))
    loops: dict[str, Loop] = {}
    if deps.provider is not None or settings.sms.enabled:
        if deps.provider is None and not (settings.sms.token or deps.sms_token):
            log.error("sms.enabled without a token (sms.token or cic sms token): every SMS "
                      "will wait in the queue until the gateway accepts one")  # fmt: skip
        provider = deps.provider or provider_for(settings.sms, deps.sms_token)
        notify.sms = SmsSender(
            service, deps.bus, provider, per_second=settings.sms.per_second, links=links,
            batch=config.sms_batch, retry_seconds=config.retry_seconds,
            gateway_check_seconds=config.gateway_check_seconds,
        )  # fmt: skip
        notify.add_state(notify.sms.state)
        loops[SMS_LOOP] = _runner(notify.sms.run, config.poll_seconds)
        app.on_cleanup.append(lambda _app: provider.close())
    if deps.transport is not None or settings.mail.enabled:
        mail = settings.mail
        transport = deps.transport or SmtpSender(smtp_account(mail))
        identity = SenderIdentity(mail.address, mail.display_name or settings.office.name)
        notify.email = EmailSender(
            service, deps.bus, transport, identity, domain=message_domain(settings),
            office=settings.office.name, links=links, batch=config.email_batch,
            retry_seconds=config.retry_seconds,
        )  # fmt: skip
        notify.add_state(notify.email.state)
        loops[EMAIL_LOOP] = _runner(notify.email.run, config.poll_seconds)
    app[SENDERS] = notify
    reports = NotifyReports(service, lambda: notify.states)
    app.add_routes(api_views.routes(reports))
    if loops:
        app.cleanup_ctx.append(deps.supervisor.context(loops))
    return notify


def _runner(run: Callable[[float], Awaitable[None]], poll: float) -> Loop:
    return lambda: run(poll)
