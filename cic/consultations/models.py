"""Tables of public consultations: the consultation, its documents and residents' comments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

NAME_RULES = ("required", "optional", "none")


class Consultation(Base):
    """One consultation: what it is about, when comments are taken (whole days in the office's
    time zone, both ends included), the rule for commenters' names, whether the sołectwo is
    asked, and the report (its introduction and when it was published; none: not yet)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    names: Mapped[str] = mapped_column(String(10), default="optional")
    ask_solectwo: Mapped[bool] = mapped_column(default=False, server_default=false())
    report_intro: Mapped[str] = mapped_column(Text, default="")
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsultationDocument(Base):
    """A document of a consultation: its title, the safe file name it is downloaded under,
    the media type found from its content, its size and its digest in the private store."""

    __tablename__ = "consultation_documents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsultationComment(Base):
    """A resident's comment: its number within the consultation, the text, the optional name,
    sołectwo and place in a document; ``nonce`` is its form token's (one comment per form).
    A moderator may hide it with a reason (counted in the report, its text never published);
    an editor writes the office's response."""

    __tablename__ = "consultation_comments"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number"),
        Index("ix_consultation_comments_document_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200), default="")
    name_consent: Mapped[str] = mapped_column(Text, default="")
    solectwo: Mapped[str] = mapped_column(String(200), default="")
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_documents.id", ondelete="SET NULL"), nullable=True
    )
    section: Mapped[str] = mapped_column(String(200), default="")
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    moderated_by: Mapped[str] = mapped_column(String(64), default="")
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    response: Mapped[str] = mapped_column(Text, default="")
