"""Read-only views of the channels' work: the message queue, a report's messages, overdue
answers, the wallboard's counts and a resident's contacts across channels."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cic.cases.models import REPORT_CHANNELS, ContactReport
from cic.channels.models import SEND_STATES, ChannelAttachment, ChannelMessage
from cic.channels.targets import working_days_late

#: Channels whose reports wait in the message queue (the phone has its own queues).
MESSAGE_CHANNELS = ("email", "www", "epuap")
SNIPPET = 280


def waiting() -> ColumnElement[bool]:
    """Reports of a message channel waiting for the office's answer."""
    return ContactReport.channel.in_(MESSAGE_CHANNELS) & ContactReport.waiting_since.is_not(None)


def queue_item(session: Session, report: ContactReport, today: date) -> dict[str, Any]:
    """A report as a line of the queue: who wrote, about what, since when, by when."""
    last = session.scalars(
        select(ChannelMessage)
        .where(ChannelMessage.report_id == report.id, ChannelMessage.direction == "in")
        .order_by(ChannelMessage.id.desc())
        .limit(1)
    ).first()
    return {
        "id": report.id,
        "channel": report.channel,
        "channel_label": REPORT_CHANNELS.get(report.channel, report.channel),
        "topic": report.topic,
        "contact": report.contact,
        "resident_id": report.resident_id,
        "owner": report.owner,
        "department": report.department,
        "status": report.status,
        "waiting_since": report.waiting_since.isoformat() if report.waiting_since else None,
        "reply_due": report.reply_due.isoformat() if report.reply_due else None,
        "overdue": report.reply_due is not None and report.reply_due < today,
        "days_late": working_days_late(report.reply_due, today) if report.reply_due else 0,
        "from_name": last.from_name if last else "",
        "snippet": (last.body_text if last else "")[:SNIPPET],
        "attachments": _attachment_count(session, report.id),
    }


def message_json(session: Session, row: ChannelMessage) -> dict[str, Any]:
    """One message with its attachments (no content, no raw bytes)."""
    attachments = session.scalars(
        select(ChannelAttachment)
        .where(ChannelAttachment.message_id == row.id)
        .order_by(ChannelAttachment.id)
    )
    return {
        "id": row.id,
        "direction": row.direction,
        "channel": row.channel,
        "purpose": row.purpose,
        "from_address": row.from_address,
        "from_name": row.from_name,
        "to": row.to_addresses,
        "subject": row.subject,
        "text": row.body_text,
        "html": row.body_html,
        "auto": row.auto,
        "sender_check": row.sender_check,
        "defects": [d for d in row.defects.split("\n") if d],
        "unparseable": row.unparseable,
        "author": row.author,
        "at": row.received_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "send_state": row.send_state,
        "send_state_label": SEND_STATES.get(row.send_state, ""),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "detected_type": a.detected_type,
                "size": a.size,
                "sha256": a.sha256,
                "rejected": a.rejected,
            }
            for a in attachments
        ],
    }


def messages_of(session: Session, report_id: int) -> list[dict[str, Any]]:
    """The report's messages, oldest first."""
    rows = session.scalars(
        select(ChannelMessage)
        .where(ChannelMessage.report_id == report_id)
        .order_by(ChannelMessage.received_at, ChannelMessage.id)
    )
    return [message_json(session, r) for r in rows]


def board(session: Session, today: date) -> dict[str, Any]:
    """The message queue for the wallboard: waiting (nobody took them), being answered,
    overdue, and since when the oldest waits."""
    base = select(func.count(ContactReport.id)).where(waiting())
    unowned = ContactReport.owner == ""
    oldest = session.scalar(select(func.min(ContactReport.waiting_since)).where(waiting(), unowned))
    by_channel = dict(
        session.execute(
            select(ContactReport.channel, func.count(ContactReport.id))
            .where(waiting(), unowned)
            .group_by(ContactReport.channel)
        ).all()
    )
    return {
        "waiting": session.scalar(base.where(unowned)) or 0,
        "in_progress": session.scalar(base.where(~unowned)) or 0,
        "overdue": session.scalar(base.where(ContactReport.reply_due < today)) or 0,
        "oldest_since": oldest.isoformat() if oldest else None,
        "by_channel": {k: int(v) for k, v in by_channel.items()},
        "failed_sends": session.scalar(
            select(func.count(ChannelMessage.id)).where(
                ChannelMessage.direction == "out", ChannelMessage.send_state == "blad"
            )
        )
        or 0,
    }


def contacts_of(session: Session, resident_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """A resident's reports in every channel, newest first, each with the resident's latest
    message (a visit: its note)."""
    rows = session.scalars(
        select(ContactReport)
        .where(ContactReport.resident_id == resident_id)
        .order_by(ContactReport.created_at.desc(), ContactReport.id.desc())
        .limit(limit)
    )
    out = []
    for report in rows:
        last = session.scalars(
            select(ChannelMessage)
            .where(ChannelMessage.report_id == report.id, ChannelMessage.direction == "in")
            .order_by(ChannelMessage.id.desc())
            .limit(1)
        ).first()
        out.append(
            {
                "report": report.id,
                "channel": report.channel,
                "channel_label": REPORT_CHANNELS.get(report.channel, report.channel),
                "topic": report.topic,
                "status": report.status,
                "at": report.created_at.isoformat(),
                "waiting": report.waiting_since is not None,
                "snippet": (last.body_text if last else report.note)[:SNIPPET],
            }
        )
    return out


def _attachment_count(session: Session, report_id: int) -> int:
    return (
        session.scalar(
            select(func.count(ChannelAttachment.id))
            .join(ChannelMessage, ChannelMessage.id == ChannelAttachment.message_id)
            .where(ChannelMessage.report_id == report_id)
        )
        or 0
    )
