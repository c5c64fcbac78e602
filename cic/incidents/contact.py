"""A resident's threat report from the portal also becomes a contact report of the web-form
channel (``www``): it is in the agents' message queue with the other messages and in the
resident's history, and the incident links to it.

The message goes through the channels' own intake (:func:`cic.channels.intake.receive`), so
it is stored, matched to a resident by phone number and given a reply deadline exactly as a
message from the contact form; its id is made from the incident's number, so it is taken once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from cic.channels.inbound import InboundMessage
from cic.channels.intake import IntakePolicy, IntakeResult, receive
from cic.channels.webform import CHANNEL, OnReport
from cic.db import Store, utcnow
from cic.incidents.service import IncidentView
from cic.residents import records

log = logging.getLogger(__name__)


class ContactReports:
    """Opens the contact report of a portal threat report."""

    def __init__(
        self, store: Store, policy: IntakePolicy, on_report: OnReport,
        now: Callable[[], datetime] = utcnow,
    ) -> None:  # fmt: skip
        """``policy`` and ``on_report`` are the web form's (the same queue and notices)."""
        self.store, self.policy, self.on_report, self.now = store, policy, on_report, now

    def message(self, incident: IncidentView) -> InboundMessage:
        """The incident as an incoming message of the web-form channel."""
        place = incident.address or f"{incident.lat:.5f}, {incident.lon:.5f}"
        text = (
            f"Zgłoszenie zagrożenia nr {incident.id} z portalu ({incident.category_name}).\n"
            f"Miejsce: {place}\n\n{incident.description}\n\n"
            f"Mapa bezpieczeństwa: /bezpieczenstwo/zgloszenia/{incident.id}"
        )
        return InboundMessage(
            channel=CHANNEL, message_id=f"<zagrozenie-{incident.id}@{self.policy.domain}>",
            received_at=self.now(), from_name=incident.reporter_name,
            subject=f"Zgłoszenie zagrożenia nr {incident.id}: {incident.category_name}",
            text=text, phone=incident.reporter_phone,
        )  # fmt: skip

    async def open(self, incident: IncidentView) -> int | None:
        """The new contact report's number (None when the message was taken before)."""
        message = self.message(incident)

        def work(session: Session) -> IntakeResult:
            resident = records.by_number(session, message.phone) if message.phone else None
            found = dataclasses.replace(message, resident_id=resident) if resident else message
            return receive(session, found, self.policy)

        result = await self.store.run(work)
        if result.duplicate:
            return None
        try:
            await self.on_report(result)
        except Exception:  # the report is stored; the notice is a courtesy
            log.exception("threat report: telling of report %s failed", result.report_id)
        return result.report_id
