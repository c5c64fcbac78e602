"""Taking a message in: stored exactly once, threaded onto its report or made a new report
(matched to a resident by address), and acknowledged when that is safe - all in one
transaction, so a crash leaves either everything or nothing.

Automatic mail (bounces, auto-replies, lists, our own messages coming back) is kept but never
acknowledged and never put in the queue: a bounce of one of our messages marks it as not
delivered; automatic mail that continues no report is kept without one, for supervisors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.cases.models import ContactReport
from cic.channels import outbox, threads
from cic.channels.inbound import InboundMessage
from cic.channels.models import ChannelAttachment, ChannelMessage
from cic.channels.targets import reply_due
from cic.db import utcnow
from cic.mail.compose import report_tag
from cic.mail.parse import is_no_reply_address
from cic.residents.models import Resident, ResidentEmail

#: ``(report id, received, reply due) -> (subject, text)`` of the acknowledgement.
Acknowledgement = Callable[[int, date, date], tuple[str, str]]
NO_SUBJECT = "(bez tematu)"


@dataclass(frozen=True)
class IntakePolicy:
    """The office's rules for incoming messages."""

    reply_days: dict[str, int]
    zone: str
    domain: str
    own_addresses: tuple[str, ...] = ()
    acknowledgement: Acknowledgement | None = None
    acks_per_sender_per_day: int = 3
    creator: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    """What became of a message: its row, its report (if any), whether it was new."""

    message_pk: int
    report_id: int | None
    duplicate: bool = False
    new_report: bool = False
    acknowledged: bool = False


def receive(session: Session, message: InboundMessage, policy: IntakePolicy) -> IntakeResult:
    """Store ``message`` and do what it asks for (see the module's description)."""
    known = session.scalar(
        select(ChannelMessage).where(ChannelMessage.message_id == message.message_id)
    )
    if known is not None:
        return IntakeResult(known.id, known.report_id, duplicate=True)
    report = threads.find_report(session, message)
    if message.auto:
        return _automatic(session, message, report)
    new_report = report is None
    if report is None:
        report = _new_report(session, message, policy)
    else:
        _reopen(report, message, policy)
    row = _store(session, message, report.id)
    acknowledged = new_report and _acknowledge(session, message, report, policy)
    return IntakeResult(row.id, report.id, new_report=new_report, acknowledged=acknowledged)


def resident_by_address(session: Session, address: str) -> int | None:
    """The resident (not a merged duplicate) who has this e-mail address."""
    if not address:
        return None
    return session.scalar(
        select(Resident.id)
        .join(ResidentEmail, ResidentEmail.resident_id == Resident.id)
        .where(ResidentEmail.address == address.lower(), Resident.merged_into.is_(None))
    )


def _new_report(session: Session, message: InboundMessage, policy: IntakePolicy) -> ContactReport:
    now = utcnow()
    resident = message.resident_id
    if resident is None and message.sender_check != "fail":
        resident = resident_by_address(session, message.answer_to)
    report = ContactReport(
        topic=(message.subject.strip() or NO_SUBJECT)[:200], note="", department="",
        status="nowe", owner="", created_by=policy.creator.get(message.channel, message.channel),
        channel=message.channel, contact=(message.answer_to or message.phone)[:300],
        resident_id=resident, waiting_since=now,
        reply_due=reply_due(message.received_at, message.channel, policy.reply_days, policy.zone),
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(report)
    session.flush()
    return report


def _reopen(report: ContactReport, message: InboundMessage, policy: IntakePolicy) -> None:
    """The resident wrote again: the report waits for an answer (again)."""
    now = utcnow()
    if report.waiting_since is None:
        report.waiting_since = now
        report.reply_due = reply_due(
            message.received_at, message.channel, policy.reply_days, policy.zone
        )
    if report.status == "zamkniete":
        report.status = "w_toku" if report.owner else "nowe"
    report.updated_at = now


def _automatic(
    session: Session, message: InboundMessage, report: ContactReport | None
) -> IntakeResult:
    row = _store(session, message, report.id if report is not None else None)
    if message.auto == "bounce":
        parent = threads.parent_message(session, message)
        if parent is not None and parent.send_state == "wyslana":
            parent.send_state = "blad"
            parent.last_error = "Wiadomość nie dotarła do adresata (zwrot z serwera poczty)."
    return IntakeResult(row.id, row.report_id)


def _store(session: Session, message: InboundMessage, report_id: int | None) -> ChannelMessage:
    row = ChannelMessage(
        report_id=report_id, channel=message.channel, direction="in",
        message_id=message.message_id, in_reply_to=" ".join(message.in_reply_to),
        references=" ".join(message.references), from_address=message.from_address[:320],
        from_name=message.from_name[:300], to_addresses=", ".join(message.to),
        subject=message.subject, body_text=message.text, body_html=message.html,
        auto=message.auto, sender_check=message.sender_check,
        defects="\n".join(message.defects), unparseable=message.unparseable,
        consent=message.extra.get("consent", ""),
        raw_sha256=message.raw_sha256, size=message.size, received_at=message.received_at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    for item in message.attachments:
        session.add(
            ChannelAttachment(
                message_id=row.id,
                filename=item.filename[:255],
                content_type=item.content_type[:255],
                detected_type=item.detected_type[:255],
                size=item.size,
                sha256=item.sha256,
                rejected=item.rejected[:300],
            )
        )
    return row


def _acknowledge(
    session: Session, message: InboundMessage, report: ContactReport, policy: IntakePolicy
) -> bool:
    """Queue the acknowledgement unless answering could start a loop or reach a forger."""
    to = message.answer_to.lower()
    own = {a.lower() for a in policy.own_addresses}
    if (
        policy.acknowledgement is None
        or not to
        or message.sender_check == "fail"
        or to in own
        or is_no_reply_address(to)
    ):
        return False
    since = utcnow() - timedelta(days=1)
    recent = session.scalar(
        select(func.count(ChannelMessage.id)).where(
            ChannelMessage.direction == "out",
            ChannelMessage.purpose == "potwierdzenie",
            ChannelMessage.to_addresses == to,
            ChannelMessage.received_at >= since,
        )
    )
    if (recent or 0) >= policy.acks_per_sender_per_day:
        return False
    received = message.received_at.date()
    subject, text = policy.acknowledgement(report.id, received, report.reply_due or received)
    if report_tag(report.id) not in subject:
        subject = f"{subject} {report_tag(report.id)}"
    letter = outbox.Letter(
        to=to, subject=subject, text=text, purpose="potwierdzenie",
        in_reply_to=message.message_id,
        references=(*message.references, message.message_id)[-20:],
    )  # fmt: skip
    outbox.queue(session, report.id, letter, author="", domain=policy.domain,
                 channel=message.channel)  # fmt: skip
    return True
