"""Walk-in visits at the front desk: a contact report of channel ``osobiscie`` in the same
register as calls, e-mail and the web form, recorded by the staff member at the desk.

A matter settled on the spot is closed at once (no reply target); one that is not waits for
the office's answer: handed to a department (``przekazane``) or kept by the desk (``nowe``),
due by ``channels.reply_days["osobiscie"]`` working days. The visitor is a resident of the
register, one recorded with the visit (name, and optionally number, address and PESEL), or
nobody named. Agents see the visits they recorded; officials every visit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.auth.actor import Actor
from cic.cases.models import REPORT_STATUSES, ContactReport
from cic.cases.signatures import validate_unit
from cic.channels.targets import reply_due
from cic.channels.visit_schemas import Matter, MattersOut, VisitIn, VisitOut
from cic.db import Store, utcnow
from cic.residents import records
from cic.residents.models import Resident, ResidentEmail, ResidentNumber
from cic.residents.schemas import NewResident
from cic.topics.taxonomy import Taxonomy

CHANNEL = "osobiscie"


class VisitService:
    """Records walk-in visits and lists a day's visits as the asking user may see them."""

    def __init__(
        self,
        store: Store,
        *,
        reply_days: dict[str, int],
        zone: str,
        taxonomy: Taxonomy | None = None,
        pesel_key: bytes | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        """``taxonomy`` gives the office's common matters; ``pesel_key`` the key of the
        residents' PESEL digests (a new visitor's PESEL)."""
        self.store, self.reply_days, self.zone = store, reply_days, zone
        self.taxonomy, self.pesel_key, self.now = taxonomy, pesel_key, now

    def matters(self) -> MattersOut:
        """The matters offered at the desk (the topic taxonomy's) and the departments."""
        if self.taxonomy is None:
            return {"matters": [], "departments": {}}
        listed: list[Matter] = [
            {"id": t.id, "name": t.name, "department": t.department}
            for t in sorted(self.taxonomy.topics, key=lambda t: t.name)
        ]
        return {"matters": listed, "departments": dict(self.taxonomy.departments)}

    def today(self) -> date:
        """The office's date now."""
        return self.now().astimezone(ZoneInfo(self.zone)).date()

    async def record(self, visit: VisitIn, actor: Actor) -> VisitOut:
        """Record ``visit`` by ``actor`` (the visitor made a resident if new, in the same
        transaction: a number, address or PESEL someone else has refuses the whole visit)."""
        department = validate_unit(visit.department) if visit.department else ""
        now = self.now()
        if visit.handled:
            status, due = "zamkniete", None
        else:
            status = "przekazane" if department else "nowe"
            due = reply_due(now, CHANNEL, self.reply_days, self.zone)

        def write(session: Session) -> VisitOut:
            resident = self._visitor(session, visit, actor.username)
            report = ContactReport(
                topic=visit.topic, note=visit.note, department=department, status=status,
                owner=actor.username, created_by=actor.username, channel=CHANNEL,
                resident_id=resident.id if resident else None,
                contact=_contact(session, resident)[:300],
                waiting_since=None if visit.handled else now, reply_due=due,
                answered_at=now if visit.handled else None, created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(report)
            session.flush()
            return visit_json(report, resident)

        return await self.store.run(write)

    async def day(self, day: date | None, actor: Actor) -> list[VisitOut]:
        """The visits of ``day`` (today), newest first: every one for officials, the ones
        they recorded (or own) for agents."""
        zone = ZoneInfo(self.zone)
        start = datetime.combine(day or self.today(), time(0), zone)
        end = start + timedelta(days=1)
        stmt = (
            select(ContactReport, Resident)
            .outerjoin(Resident, Resident.id == ContactReport.resident_id)
            .where(
                ContactReport.channel == CHANNEL,
                ContactReport.created_at >= start,
                ContactReport.created_at < end,
            )
            .order_by(ContactReport.id.desc())
            .limit(500)
        )
        if not actor.official:
            stmt = stmt.where(
                (ContactReport.created_by == actor.username)
                | (ContactReport.owner == actor.username)
            )
        return await self.store.run(
            lambda s: [visit_json(report, resident) for report, resident in s.execute(stmt).all()]
        )

    def _visitor(self, session: Session, visit: VisitIn, actor: str) -> Resident | None:
        if visit.resident_id is not None:
            return records.live_resident(session, visit.resident_id)
        given = visit.resident
        if given is None:
            return None
        new = NewResident(
            name=given.name,
            numbers=[given.phone] if given.phone else [],
            emails=[given.email] if given.email else [],
            pesel=given.pesel,
        )
        return records.create(session, new, actor, self.pesel_key)


def _contact(session: Session, resident: Resident | None) -> str:
    """Where the office answers the visitor: their first e-mail address, else first number."""
    if resident is None:
        return ""
    address = session.scalar(
        select(ResidentEmail.address)
        .where(ResidentEmail.resident_id == resident.id)
        .order_by(ResidentEmail.id)
        .limit(1)
    )
    number = session.scalar(
        select(ResidentNumber.number)
        .where(ResidentNumber.resident_id == resident.id)
        .order_by(ResidentNumber.id)
        .limit(1)
    )
    return address or number or ""


def visit_json(report: ContactReport, resident: Resident | None) -> VisitOut:
    """A visit as the desk's list shows it."""
    return {
        "id": report.id,
        "topic": report.topic,
        "note": report.note,
        "department": report.department,
        "status": report.status,
        "status_label": REPORT_STATUSES[report.status],
        "handled": report.status == "zamkniete",
        "resident": None if resident is None else {"id": resident.id, "name": resident.name},
        "contact": report.contact,
        "created_by": report.created_by,
        "created_at": report.created_at.isoformat(),
        "reply_due": report.reply_due.isoformat() if report.reply_due else None,
    }
