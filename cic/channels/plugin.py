"""Adds the contact channels to the application: ``install(app, deps)`` in ``create_app``.

Always: the message queue's API (e-mail and web-form reports, attachments). With
``mail.enabled``: two supervised loops, the mailbox reader (IMAP) and the outbox (SMTP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from aiohttp import web

from cic.auth.actor import AgentInterface
from cic.bus import Bus
from cic.channels import views
from cic.channels.acknowledgement import make_acknowledgement
from cic.channels.files import ChannelFiles
from cic.channels.intake import IntakePolicy, IntakeResult
from cic.channels.mailbox import MailIngest, ParseRules
from cic.channels.outbox import OutboxSender, SenderIdentity
from cic.channels.service import ChannelService
from cic.config import MailSettings, Settings
from cic.db import Store
from cic.mail.imap import ImapMailbox
from cic.mail.parse import AttachmentLimits
from cic.mail.settings import ImapAccount, SmtpAccount
from cic.mail.smtp import SmtpSender
from cic.supervisor import Supervisor

CHANNELS = web.AppKey("channels", ChannelService)
MB = 1024 * 1024


@dataclass(frozen=True)
class ChannelsDeps:
    """Settings, the store, the bus (queue changes), the supervisor of the loops, the
    office's date, and the device of a user's agent."""

    settings: Settings
    store: Store
    bus: Bus
    supervisor: Supervisor
    today: Callable[[], date]
    interface_of: AgentInterface


@dataclass
class Channels:
    """What the plugin built: the service, and the mailbox loops when mail is enabled."""

    service: ChannelService
    policy: IntakePolicy
    ingest: MailIngest | None = None
    outbox: OutboxSender | None = None

    def mailbox_state(self) -> dict[str, object]:
        """Whether a mailbox is connected, what it is, how many messages came in since the
        start and the last error of its reader (empty when it is reading)."""
        if self.ingest is None:
            return {"enabled": False}
        return {"enabled": True, "account": self.ingest.account,
                "folders": list(self.ingest.folders), "taken": self.ingest.taken,
                "last_error": self.ingest.last_error}  # fmt: skip


def intake_policy(settings: Settings) -> IntakePolicy:
    """The office's rules for incoming messages, from the settings."""
    mail = settings.mail
    acknowledgement = None
    if mail.acknowledge and mail.enabled:
        acknowledgement = make_acknowledgement(mail, settings.office.name)
    return IntakePolicy(
        reply_days=dict(settings.channels.reply_days), zone=settings.office.timezone,
        domain=message_domain(settings),
        own_addresses=(mail.address.lower(),) if mail.address else (),
        acknowledgement=acknowledgement,
        acks_per_sender_per_day=mail.acks_per_sender_per_day,
    )  # fmt: skip


def message_domain(settings: Settings) -> str:
    """The domain of our Message-IDs: the mailbox's, else a name of this installation."""
    address = settings.mail.address
    return address.rsplit("@", 1)[1] if "@" in address else "cic.invalid"


def smtp_account(mail: MailSettings) -> SmtpAccount:
    """The office's outgoing server from the settings (for every sender of the office's mail)."""
    return SmtpAccount(
        host=mail.smtp_host, port=mail.smtp_port, tls=mail.smtp_tls, username=mail.smtp_user,
        password=mail.smtp_password, ca_file=mail.ca_file,
    )  # fmt: skip


def install(app: web.Application, deps: ChannelsDeps) -> Channels:
    """Build the service (and the loops), add the routes, start the loops with the app."""
    settings, mail = deps.settings, deps.settings.mail
    files = ChannelFiles(Path(settings.state_dir) / "channels")
    policy = intake_policy(settings)
    outbox: OutboxSender | None = None
    if mail.enabled:
        outbox = OutboxSender(
            deps.store, SmtpSender(smtp_account(mail)),
            SenderIdentity(mail.address, mail.display_name or settings.office.name,
                           mail.signature),
            attempts=mail.send_attempts, retry_seconds=mail.retry_seconds,
            retry_max_seconds=mail.retry_max_seconds,
        )  # fmt: skip
    service = ChannelService(
        deps.store, deps.bus, files, deps.today, domain=policy.domain,
        can_send=outbox is not None, poke=outbox.poke if outbox else lambda: None,
    )  # fmt: skip
    app[CHANNELS] = service
    built = Channels(service, policy, outbox=outbox)
    app.add_routes(views.routes(service, outbox, deps.interface_of, built.mailbox_state))
    board = {"cic-message-board": service.run_board}
    app.cleanup_ctx.append(deps.supervisor.context(board))
    if outbox is None:
        return built
    imap = ImapAccount(
        host=mail.imap_host, port=mail.imap_port, tls=mail.imap_tls, username=mail.imap_user,
        password=mail.imap_password, folders=tuple(mail.folders), ca_file=mail.ca_file,
        poll_seconds=mail.poll_seconds, idle=mail.idle,
    )  # fmt: skip
    rules = ParseRules(
        AttachmentLimits(max_bytes=mail.max_attachment_mb * MB,
                         max_total_bytes=mail.max_attachments_mb * MB),
        authserv_ids=tuple(mail.authserv_ids), own_addresses=policy.own_addresses,
    )  # fmt: skip
    sender = outbox

    async def arrived(result: IntakeResult) -> None:
        if result.acknowledged:
            sender.poke()
        await service.announce_new(result.report_id)

    ingest = MailIngest(
        deps.store, files, lambda: ImapMailbox(imap), tuple(mail.folders),
        f"{mail.imap_user}@{mail.imap_host}", rules, policy, on_report=arrived,
    )  # fmt: skip
    built.ingest = ingest
    loops = {
        "cic-mail-ingest": ingest.run,
        "cic-mail-outbox": lambda: sender.run(poll_seconds=30),
    }
    app.cleanup_ctx.append(deps.supervisor.context(loops))
    return built
