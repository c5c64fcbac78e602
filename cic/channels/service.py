"""The message queue's rules: who may take, answer, hand over or close a message, and the
work done in the store. Every method authorises THIS user for THIS report (an agent: the
first line's shared queue, or reports that are theirs; officials: every report).

Working on a message does not change the agent's phone presence: a call is still offered to
an agent who is answering an e-mail (the draft waits in the console), because the phone is
the channel where a resident is waiting on the line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth import audit
from cic.auth.actor import Actor
from cic.auth.refusals import run_guarded
from cic.bus import Bus
from cic.cases import reports
from cic.cases.errors import ReportForbidden, ReportHidden
from cic.cases.models import Case, ContactReport
from cic.cases.owners import resident_open_matters
from cic.cases.signatures import validate_unit
from cic.channels import outbox, queries
from cic.channels.errors import (
    AttachmentMissing,
    AttachmentNotFound,
    InvalidMessage,
    NoReplyAddress,
    TakenByOther,
)
from cic.channels.files import ChannelFiles
from cic.channels.models import ChannelAttachment, ChannelMessage
from cic.db import Store, utcnow
from cic.mail.compose import reply_subject, report_tag

log = logging.getLogger(__name__)
MAX_REPLY = 20_000


class ChannelService:
    """Message queue, replies, hand-overs and attachments over a ``Store``."""

    def __init__(
        self,
        store: Store,
        bus: Bus,
        files: ChannelFiles,
        today: Callable[[], date],
        *,
        domain: str,
        can_send: bool,
        poke: Callable[[], None] = lambda: None,
    ) -> None:
        """``domain`` names our Message-IDs; ``can_send`` is false when no mailbox is set up
        (replies are refused rather than queued forever); ``poke`` wakes the outbox."""
        self.store, self.bus, self.files, self.today = store, bus, files, today
        self.domain, self.can_send, self.poke = domain, can_send, poke

    async def queue(self, actor: Actor) -> dict[str, Any]:
        """The first line's waiting messages (oldest first), the actor's own, and, for
        officials, those handed to departments."""
        today = self.today()

        def read(session: Session) -> dict[str, Any]:
            waiting = queries.waiting()
            first_line = session.scalars(
                select(ContactReport)
                .where(reports.in_first_line_queue())
                .order_by(ContactReport.waiting_since, ContactReport.id)
                .limit(200)
            ).all()
            mine = session.scalars(
                select(ContactReport)
                .where(waiting, ContactReport.owner == actor.username)
                .order_by(ContactReport.waiting_since, ContactReport.id)
            ).all()
            handed: list[ContactReport] = []
            if actor.official:
                handed = list(
                    session.scalars(
                        select(ContactReport)
                        .where(waiting, ContactReport.owner == "", ContactReport.department != "")
                        .order_by(ContactReport.waiting_since, ContactReport.id)
                        .limit(200)
                    )
                )
            item = queries.queue_item
            return {
                "waiting": [item(session, r, today) for r in first_line],
                "mine": [item(session, r, today) for r in mine],
                "departments": [item(session, r, today) for r in handed],
                "board": queries.board(session, today),
            }

        return await self.store.run(read)

    async def overdue(self, actor: Actor) -> list[dict[str, Any]]:
        """Messages whose answer is past its target (agents: their own and the queue's)."""
        today = self.today()

        def read(session: Session) -> list[dict[str, Any]]:
            stmt = (
                select(ContactReport)
                .where(queries.waiting(), ContactReport.reply_due < today)
                .order_by(ContactReport.reply_due, ContactReport.id)
                .limit(500)
            )
            if not actor.official:
                stmt = stmt.where(reports.readable_by_agent(actor.username, actor.interface))
            return [queries.queue_item(session, r, today) for r in session.scalars(stmt)]

        return await self.store.run(read)

    async def board(self) -> dict[str, Any]:
        """The wallboard's message-queue counts."""
        today = self.today()
        return await self.store.run(lambda s: queries.board(s, today))

    async def messages(self, report_id: int, actor: Actor) -> dict[str, Any]:
        """A report with its messages (the actor must be allowed to read the report) and the
        open cases of its resident (what "join a case" offers)."""

        def read(session: Session) -> dict[str, Any]:
            report = self._readable(session, report_id, actor)
            resident = report.resident_id
            return {
                "report": reports.to_json(session, report),
                "messages": queries.messages_of(session, report.id),
                "matters": [] if resident is None else resident_open_matters(session, resident),
            }

        return await run_guarded(self.store, actor, "report", str(report_id), read)

    async def take(self, report_id: int, actor: Actor) -> dict[str, Any]:
        """The actor answers this message from now on (409 when a colleague already does;
        a supervisor may take it over)."""

        def work(session: Session) -> dict[str, Any]:
            report = reports.get(session, report_id)
            taken = report.owner and report.owner != actor.username
            if taken and report.channel in queries.MESSAGE_CHANNELS and not actor.supervising:
                # Two agents clicked the same message: the later one is told who has it.
                raise TakenByOther(f"Zgłoszenie nr {report.id} obsługuje {report.owner}.")
            report = self._readable(session, report_id, actor)
            report.owner, report.updated_at = actor.username, utcnow()
            if report.status == "nowe":
                report.status = "w_toku"
            return dict(reports.to_json(session, report))

        out = await run_guarded(self.store, actor, "report", str(report_id), work)
        await self._changed(report_id, "taken", actor.username)
        return out

    async def release(self, report_id: int, actor: Actor) -> dict[str, Any]:
        """Put a message the actor took back into the queue."""

        def work(session: Session) -> dict[str, Any]:
            report = self._changeable(session, report_id, actor)
            report.owner, report.updated_at = "", utcnow()
            return dict(reports.to_json(session, report))

        out = await run_guarded(self.store, actor, "report", str(report_id), work)
        await self._changed(report_id, "released", actor.username)
        return out

    async def reply(self, report_id: int, body: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Answer the resident by e-mail (threaded, tagged with the report number or the case
        signature); ``close`` true also closes the report. The answer is queued and sent by
        the outbox; its state shows on the message."""
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidMessage("Wpisz treść odpowiedzi.")
        if len(text) > MAX_REPLY:
            raise InvalidMessage(f"Odpowiedź może mieć najwyżej {MAX_REPLY} znaków.")
        if not self.can_send:
            raise NoReplyAddress("Skrzynka urzędu nie jest skonfigurowana (mail.enabled).")
        close = body.get("close") is True

        def work(session: Session) -> dict[str, Any]:
            report = self._changeable(session, report_id, actor)
            if "@" not in report.contact:
                raise NoReplyAddress()
            last = session.scalars(
                select(ChannelMessage)
                .where(ChannelMessage.report_id == report.id, ChannelMessage.direction == "in")
                .order_by(ChannelMessage.id.desc())
                .limit(1)
            ).first()
            case = session.get(Case, report.case_id) if report.case_id else None
            tag = f"[{case.signature}]" if case is not None else report_tag(report.id)
            references = tuple([*last.references.split(), last.message_id] if last else ())
            letter = outbox.Letter(
                to=report.contact, subject=reply_subject(last.subject if last else report.topic,
                                                         tag),
                text=text.strip(), purpose="odpowiedz",
                in_reply_to=last.message_id if last else "", references=references[-20:],
            )  # fmt: skip
            row = outbox.queue(session, report.id, letter, author=actor.username,
                               domain=self.domain, channel=report.channel)  # fmt: skip
            now = utcnow()
            report.waiting_since = None
            report.answered_at = report.answered_at or now
            report.owner = report.owner or actor.username
            report.status = "zamkniete" if close else "w_toku"
            report.updated_at = now
            return queries.message_json(session, row)

        out = await run_guarded(self.store, actor, "report", str(report_id), work)
        self.poke()
        await self._changed(report_id, "answered", actor.username)
        return out

    async def hand_over(self, report_id: int, body: dict[str, Any], actor: Actor) -> dict[str, Any]:
        """Give the message to a department (its officials answer it; it leaves the first
        line's queue but keeps waiting and its target)."""
        department = body.get("department")
        if not isinstance(department, str) or not department:
            raise InvalidMessage("Podaj komórkę (department), której przekazujesz wiadomość.")
        unit = validate_unit(department)
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 2000):
            raise InvalidMessage("Notatka: tekst do 2000 znaków.")

        def work(session: Session) -> dict[str, Any]:
            report = self._changeable(session, report_id, actor)
            report.department, report.owner, report.status = unit, "", "przekazane"
            if note:
                report.note = (report.note + "\n" + note).strip()
            report.updated_at = utcnow()
            return dict(reports.to_json(session, report))

        out = await run_guarded(self.store, actor, "report", str(report_id), work)
        await self._changed(report_id, "handed_over", actor.username)
        return out

    async def close(self, report_id: int, actor: Actor) -> dict[str, Any]:
        """Close a message that needs no answer (a thank-you, a duplicate)."""

        def work(session: Session) -> dict[str, Any]:
            report = self._changeable(session, report_id, actor)
            report.status, report.waiting_since, report.updated_at = "zamkniete", None, utcnow()
            return dict(reports.to_json(session, report))

        out = await run_guarded(self.store, actor, "report", str(report_id), work)
        await self._changed(report_id, "closed", actor.username)
        return out

    async def attachment(self, attachment_id: int, actor: Actor) -> tuple[str, str, bytes]:
        """An attachment's name, type and content; the read is written to the audit log."""

        def work(session: Session) -> tuple[str, str, str]:
            item = session.get(ChannelAttachment, attachment_id)
            message = session.get(ChannelMessage, item.message_id) if item else None
            if item is None or message is None or message.report_id is None:
                if not (item and message and actor.supervising):
                    raise AttachmentNotFound()
            elif not reports.may_read(session, reports.get(session, message.report_id), actor):
                raise AttachmentNotFound()
            assert item is not None
            if item.rejected or not item.sha256:
                raise AttachmentMissing(f"Załącznik nie był przyjęty: {item.rejected}.")
            audit.record(session, "attachment_read", actor=actor.username,
                         target=str(item.id), ip=actor.ip)  # fmt: skip
            return item.filename, item.content_type or "application/octet-stream", item.sha256

        name, kind, digest = await run_guarded(
            self.store, actor, "attachment", str(attachment_id), work
        )
        try:
            return name, kind, self.files.get(digest)
        except FileNotFoundError:
            raise AttachmentMissing("Plik załącznika nie jest dostępny.") from None

    async def automatic(self) -> list[dict[str, Any]]:
        """Automatic mail that continues no report (bounces, auto-replies): kept, listed."""

        def read(session: Session) -> list[dict[str, Any]]:
            rows = session.scalars(
                select(ChannelMessage)
                .where(ChannelMessage.report_id.is_(None), ChannelMessage.direction == "in")
                .order_by(ChannelMessage.id.desc())
                .limit(200)
            )
            return [queries.message_json(session, r) for r in rows]

        return await self.store.run(read)

    async def failed_sends(self) -> list[dict[str, Any]]:
        """Outgoing messages given up on, newest first."""

        def read(session: Session) -> list[dict[str, Any]]:
            rows = session.scalars(
                select(ChannelMessage)
                .where(ChannelMessage.direction == "out", ChannelMessage.send_state == "blad")
                .order_by(ChannelMessage.id.desc())
                .limit(200)
            )
            return [{**queries.message_json(session, r), "report": r.report_id} for r in rows]

        return await self.store.run(read)

    async def contacts_of(self, resident_id: int) -> list[dict[str, Any]]:
        """A resident's reports in every channel (for their history and the screen pop)."""
        return await self.store.run(lambda s: queries.contacts_of(s, resident_id))

    def _readable(self, session: Session, report_id: int, actor: Actor) -> ContactReport:
        report = reports.get(session, report_id)
        if not reports.may_read(session, report, actor):
            raise ReportHidden(f"Nie znaleziono zgłoszenia nr {report_id}.")
        return report

    def _changeable(self, session: Session, report_id: int, actor: Actor) -> ContactReport:
        report = self._readable(session, report_id, actor)
        queued = report.owner == "" and report.channel in queries.MESSAGE_CHANNELS
        if not (queued or reports.may_change(report, actor.username, actor.official)):
            raise ReportForbidden()
        return report

    async def _changed(self, report_id: int, change: str, username: str) -> None:
        await self.bus.publish(
            "channel",
            {"type": "MessageQueueChanged", "report": report_id, "change": change,
             "by": username},
        )  # fmt: skip
        await self.publish_board()

    async def publish_board(self) -> None:
        """Send the queue's counts to the wallboard."""
        await self.bus.publish("channel", {"type": "MessageQueueBoard", **await self.board()})

    async def run_board(self, interval: float = 60) -> None:
        """Forever: the wallboard's counts every ``interval`` (waits and targets move on
        with the clock even when nothing happens)."""
        while True:
            try:
                await self.publish_board()
            except Exception:
                log.warning("message queue: counts for the wallboard not known", exc_info=True)
            await asyncio.sleep(interval)

    async def announce_new(self, report_id: int | None) -> None:
        """Tell consoles and the wallboard that a message arrived."""
        if report_id is not None:
            await self._changed(report_id, "arrived", "")
