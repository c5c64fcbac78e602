"""Adds announcements to the application: ``install(app, deps)`` in ``create_app`` (after the
portal's shared parts, whose form tokens it takes).

Always: the public pages and feeds, the editors' pages and the loop that publishes scheduled
announcements. With ``mail.enabled``: the newsletter (confirmation e-mails and the sending of
announcements through the office's SMTP server).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from cic.announcements import api_views, editor_views, newsletter_views, views
from cic.announcements.delivery import Mailer, NewsletterLoop
from cic.announcements.letters import Links
from cic.announcements.newsletter import Newsletter
from cic.announcements.present import polish_date
from cic.announcements.rules import UnsubscribeKeys
from cic.announcements.service import AnnouncementService
from cic.channels.outbox import SenderIdentity, Transport
from cic.channels.plugin import message_domain, smtp_account
from cic.channels.ratelimit import HourlyLimit
from cic.config import Settings
from cic.db import Store, utcnow
from cic.mail.smtp import SmtpSender
from cic.portal.plugin import Portal
from cic.portal.site import HOME_NEWS, HomeItem
from cic.supervisor import Supervisor

ANNOUNCEMENTS = web.AppKey("announcements", AnnouncementService)
LOOP = "cic-news-newsletter"


@dataclass(frozen=True)
class AnnouncementsDeps:
    """Settings, the store, the supervisor of the loop, the key the unsubscribe links are
    signed with (derived again here), the portal's shared parts; for tests a clock and a
    transport in place of the office's SMTP server."""

    settings: Settings
    store: Store
    supervisor: Supervisor
    key: bytes
    portal: Portal
    now: Callable[[], datetime] = utcnow
    transport: Transport | None = None
    poll_seconds: float = 15


@dataclass(frozen=True)
class Announcements:
    """What the plugin built: ``service.latest(n)`` gives the portal's home page its news."""

    service: AnnouncementService
    newsletter: Newsletter
    loop: NewsletterLoop


def public_base(settings: Settings) -> str:
    """The portal's public address for links in e-mails and feeds: ``public_url``, else
    ``http://web_host:web_port``."""
    return settings.public_url.rstrip("/") or f"http://{settings.web_host}:{settings.web_port}"


def install(app: web.Application, deps: AnnouncementsDeps) -> Announcements:
    """Build the services and the loop, add the routes, run the loop with the app."""
    settings, mail, portal = deps.settings, deps.settings.mail, deps.settings.portal
    office = settings.office.name
    links = Links(public_base(settings))
    domain = message_domain(settings)
    mailer = None
    if deps.transport is not None or mail.enabled:
        transport = deps.transport or SmtpSender(smtp_account(mail))
        identity = SenderIdentity(mail.address, mail.display_name or office)
        mailer = Mailer(transport, identity, domain)
    key = hmac.new(deps.key, b"cic-news-unsubscribe", hashlib.sha256).digest()
    newsletter = Newsletter(
        deps.store, UnsubscribeKeys(key), links, office, mailer.send if mailer else None,
        tuple(portal.solectwa), portal.newsletter_confirm_hours, deps.now,
    )  # fmt: skip
    loop = NewsletterLoop(
        deps.store, newsletter, mailer, zone=settings.office.timezone,
        list_id=f"Ogłoszenia <ogloszenia.{domain}>", attempts=mail.send_attempts,
        retry_seconds=mail.retry_seconds, retry_max_seconds=mail.retry_max_seconds,
        now=deps.now,
    )  # fmt: skip
    service = AnnouncementService(deps.store, tuple(portal.solectwa), deps.now, loop.poke)
    app[ANNOUNCEMENTS] = service
    zone = settings.office.timezone

    async def home_news() -> list[HomeItem]:
        return [
            HomeItem(a.title, a.path, a.summary, polish_date(a.published_at, zone))
            for a in await service.latest(3)
        ]

    app[HOME_NEWS] = home_news
    section = views.PublicSection(service, settings.office.timezone, links.base, office)
    letters = newsletter_views.NewsletterSection(
        newsletter, service, deps.portal.messages, deps.portal.lookups,
        HourlyLimit(portal.newsletter_per_hour, portal.newsletter_per_hour * 100),
        HourlyLimit(portal.newsletter_per_address_per_hour, 100_000),
        portal.newsletter_consent,
    )  # fmt: skip
    app.add_routes(views.routes(section))
    app.add_routes(newsletter_views.routes(letters))
    app.add_routes(editor_views.routes(service, settings.office.timezone))
    app.add_routes(api_views.routes(service))
    poll = deps.poll_seconds
    app.cleanup_ctx.append(deps.supervisor.context({LOOP: lambda: loop.run(poll)}))
    return Announcements(service, newsletter, loop)
