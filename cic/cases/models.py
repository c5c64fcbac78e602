"""Tables of the case register: JRWA classes, counters, contact reports, cases and metryka.

Call ids are deliberately not foreign keys (as in ``kb_article_uses``): call records reach
the database through a backlog and may arrive after an agent has linked the call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

REPORT_STATUSES = {
    "nowe": "nowe",
    "w_toku": "w toku",
    "przekazane": "przekazane",
    "zamkniete": "zamknięte",
}
#: Where a contact report came from (code -> Polish label); ``epuap`` is kept for the office's
#: electronic inbox adapter.
REPORT_CHANNELS = {
    "telefon": "telefon",
    "email": "e-mail",
    "www": "formularz www",
    "osobiscie": "osobiście",
    "epuap": "ePUAP",
}
CASE_STATUSES = {
    "wszczeta": "wszczęta",
    "w_toku": "w toku",
    "zawieszona": "zawieszona",
    "zakonczona": "zakończona",
}
DEADLINE_KIND_CODES = ("niezwlocznie", "miesiac", "dwa_miesiace", "zaswiadczenie", "brak")
UNIT_LENGTH, JRWA_LENGTH, USER_LENGTH, CALL_ID_LENGTH = 50, 4, 64, 128
TITLE_LENGTH, NAME_LENGTH, TOPIC_LENGTH, DOCUMENT_LENGTH = 500, 300, 200, 128


def _one_of(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class JrwaEntry(Base):
    """One class of the office's own JRWA list (empty table: the built-in subset applies)."""

    __tablename__ = "jrwa_classes"

    symbol: Mapped[str] = mapped_column(String(JRWA_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(10), default="", server_default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseCounter(Base):
    """The last number given in a unit, JRWA class and year (incremented with each case)."""

    __tablename__ = "case_counters"
    __table_args__ = (PrimaryKeyConstraint("unit", "jrwa", "year"),)

    unit: Mapped[str] = mapped_column(String(UNIT_LENGTH))
    jrwa: Mapped[str] = mapped_column(String(JRWA_LENGTH))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Case(Base):
    """A case (sprawa) with its signature; ``pin_hash`` is the argon2 hash of the phone PIN."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("unit", "jrwa", "year", "number"),
        CheckConstraint(_one_of("status", CASE_STATUSES), name="status"),
        CheckConstraint(_one_of("deadline_kind", DEADLINE_KIND_CODES), name="deadline_kind"),
        Index("ix_cases_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    signature: Mapped[str] = mapped_column(String(80), unique=True)
    unit: Mapped[str] = mapped_column(String(UNIT_LENGTH))
    jrwa: Mapped[str] = mapped_column(String(JRWA_LENGTH))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    status: Mapped[str] = mapped_column(String(16), default="wszczeta")
    assigned_to: Mapped[str] = mapped_column(String(USER_LENGTH), default="", server_default="")
    started_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    suspended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline_kind: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    registered_by: Mapped[str] = mapped_column(String(USER_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseParty(Base):
    """A party to a case (strona, pełnomocnik, uczestnik): name, role, optional contact."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")


class CaseAction(Base):
    """One line of the metryka sprawy: when, who, what, and the document it concerns."""

    __tablename__ = "case_actions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(USER_LENGTH))
    action: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str] = mapped_column(String(DOCUMENT_LENGTH), default="", server_default="")


class CaseCall(Base):
    """A call linked to a case (directly, or through a contact report)."""

    __tablename__ = "case_calls"
    __table_args__ = (UniqueConstraint("case_id", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(CALL_ID_LENGTH), index=True)
    linked_by: Mapped[str] = mapped_column(String(USER_LENGTH))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactReport(Base):
    """A contact report (zgłoszenie) with its file note; ``case_id`` once it became a case.

    ``channel`` says how the resident got in touch; ``contact`` is the address or number to
    answer; ``waiting_since`` is set while the resident waits for the office's answer (an
    e-mail or web-form message not answered yet) and ``reply_due`` is the working day by
    which the answer is due.
    """

    __tablename__ = "contact_reports"
    __table_args__ = (
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint(_one_of("channel", REPORT_CHANNELS), name="channel"),
        Index("ix_contact_reports_status_department", "status", "department"),
        Index("ix_contact_reports_waiting", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(TOPIC_LENGTH))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    department: Mapped[str] = mapped_column(String(UNIT_LENGTH), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="nowe")
    owner: Mapped[str] = mapped_column(String(USER_LENGTH), default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(USER_LENGTH))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="telefon", server_default="telefon")
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    contact: Mapped[str] = mapped_column(String(NAME_LENGTH), default="", server_default="")
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactReportCall(Base):
    """A call linked to a contact report."""

    __tablename__ = "contact_report_calls"
    __table_args__ = (UniqueConstraint("report_id", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("contact_reports.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(CALL_ID_LENGTH), index=True)
    linked_by: Mapped[str] = mapped_column(String(USER_LENGTH))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
