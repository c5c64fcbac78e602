"""Tables of the announcements domain: categories, announcements, newsletter subscribers and
the deliveries of announcements to them.

Lists (an announcement's sołectwa, a subscriber's categories and sołectwa) are kept as JSON
text: short, read whole, never searched by a database index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cic.db import Base, UTCDateTime, utcnow

ADDRESS_LENGTH = 320
#: An announcement's states: a draft, scheduled (public from ``publish_at``), published,
#: withdrawn (no longer public).
STATES = {
    "draft": "szkic",
    "scheduled": "zaplanowane",
    "published": "opublikowane",
    "withdrawn": "wycofane",
}
#: A subscriber: waiting for the confirmation link, confirmed, unsubscribed.
SUBSCRIBER_STATES = ("pending", "confirmed", "unsubscribed")
#: A delivery: waiting (first time or again), sent, given up, skipped (withdrawn or
#: unsubscribed before it went out).
DELIVERY_STATES = ("oczekuje", "wyslana", "blad", "pominieta")


class NewsCategory(Base):
    """A category of announcements; ``slug`` is its address (``?kategoria=``)."""

    __tablename__ = "news_categories"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Announcement(Base):
    """One announcement; ``body`` is Markdown (rendered without raw HTML); ``solectwa`` a JSON
    list of sołectwo names (empty: the whole gmina); ``author`` is never shown publicly;
    ``mailed_at`` is when its deliveries were queued (once)."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_public", "state", "publish_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("news_categories.id", ondelete="RESTRICT"), index=True
    )
    solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    author: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NewsSubscriber(Base):
    """An e-mail address on the newsletter. Its choices (``categories``: slugs, ``solectwa``:
    names; empty means all) take effect on confirmation: a new request waits in
    ``pending_*`` with the SHA-256 of its one-time link until ``confirm_expires_at``."""

    __tablename__ = "news_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    categories: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    pending_categories: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    pending_solectwa: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    confirm_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Bumped on every unsubscription: the old unsubscribe links stop matching.
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The consent text the resident accepted, word for word, and when.
    consent: Mapped[str] = mapped_column(Text, default="", server_default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NewsDelivery(Base):
    """One announcement to one subscriber, exactly once (unique pair). ``next_attempt_at`` is
    also the lease of a send in progress; ``message_id`` stays the same across retries."""

    __tablename__ = "news_deliveries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "subscriber_id"),
        Index("ix_news_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("news_subscribers.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="oczekuje", server_default="oczekuje")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    message_id: Mapped[str] = mapped_column(String(998), default="", server_default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
