"""Which report an incoming message continues: a reply to one of our messages (or to one the
resident sent before) by its In-Reply-To/References, else the report tag in its subject
(``[ZGL-123]``) when it comes from the address that report is answered at."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.cases.models import ContactReport
from cic.channels.inbound import InboundMessage
from cic.channels.models import ChannelMessage
from cic.mail.compose import find_report_tag


def find_report(session: Session, message: InboundMessage) -> ContactReport | None:
    """The report ``message`` belongs to, or ``None`` for a new matter."""
    ids = list(message.thread_ids)[:50]
    if ids:
        known = session.execute(
            select(ChannelMessage.message_id, ChannelMessage.report_id).where(
                ChannelMessage.message_id.in_(ids), ChannelMessage.report_id.is_not(None)
            )
        ).all()
        by_id = {row.message_id: row.report_id for row in known}
        for wanted in ids:
            if by_id.get(wanted) is not None:
                return session.get(ContactReport, by_id[wanted])
    tagged = find_report_tag(message.subject)
    if tagged is None or not message.from_address:
        return None
    report = session.get(ContactReport, tagged)
    if report is None or report.contact.lower() != message.answer_to.lower():
        return None
    return report


def parent_message(session: Session, message: InboundMessage) -> ChannelMessage | None:
    """Our own outgoing message this one answers (a bounce names it), if any."""
    ids = list(message.thread_ids)[:50]
    if not ids:
        return None
    return session.scalars(
        select(ChannelMessage).where(
            ChannelMessage.message_id.in_(ids), ChannelMessage.direction == "out"
        )
    ).first()
