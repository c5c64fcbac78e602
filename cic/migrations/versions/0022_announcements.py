"""Announcements of the office: categories (seeded with a starting list the editors may
change), announcements, newsletter subscribers and the deliveries of announcements to them.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | None = None
depends_on: str | None = None

#: The starting categories: (slug, name).
CATEGORIES = (
    ("komunikaty", "Komunikaty"),
    ("odpady", "Odpady"),
    ("drogi-i-komunikacja", "Drogi i komunikacja"),
    ("oswiata", "Oświata"),
    ("kultura-i-sport", "Kultura i sport"),
    ("ostrzezenia", "Ostrzeżenia"),
    ("przetargi-i-nieruchomosci", "Przetargi i nieruchomości"),
    ("rada-gminy", "Rada gminy"),
    ("zdrowie-i-pomoc-spoleczna", "Zdrowie i pomoc społeczna"),
    ("srodowisko", "Środowisko"),
)


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, default: str = "") -> sa.Column[object]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def upgrade() -> None:
    """Create the four tables and seed the categories."""
    categories = op.create_table(
        "news_categories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_news_categories_slug")),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        _text("summary"),
        _text("body"),
        sa.Column("category_id", sa.Integer(), nullable=False),
        _text("solectwa", "[]"),
        sa.Column("state", sa.String(length=16), server_default="draft", nullable=False),
        _when("publish_at"),
        _when("expires_at"),
        sa.Column("author", sa.String(length=64), server_default="", nullable=False),
        _when("created_at", False),
        _when("updated_at", False),
        _when("mailed_at"),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["news_categories.id"],
            name=op.f("fk_announcements_category_id_news_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index("ix_announcements_public", "announcements", ["state", "publish_at"])
    op.create_index(op.f("ix_announcements_category_id"), "announcements", ["category_id"])
    op.create_table(
        "news_subscribers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="pending", nullable=False),
        _text("categories", "[]"),
        _text("solectwa", "[]"),
        _text("pending_categories", "[]"),
        _text("pending_solectwa", "[]"),
        sa.Column("confirm_hash", sa.String(length=64), server_default="", nullable=False),
        _when("confirm_expires_at"),
        sa.Column("generation", sa.Integer(), server_default="0", nullable=False),
        _text("consent"),
        _when("requested_at", False),
        _when("confirmed_at"),
        _when("unsubscribed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_subscribers")),
        sa.UniqueConstraint("email", name=op.f("uq_news_subscribers_email")),
    )
    op.create_table(
        "news_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="oczekuje", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _when("next_attempt_at"),
        _text("last_error"),
        sa.Column("message_id", sa.String(length=998), server_default="", nullable=False),
        _when("sent_at"),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_news_deliveries_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["news_subscribers.id"],
            name=op.f("fk_news_deliveries_subscriber_id_news_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_deliveries")),
        sa.UniqueConstraint(
            "announcement_id",
            "subscriber_id",
            name=op.f("uq_news_deliveries_announcement_id_subscriber_id"),
        ),
    )
    op.create_index("ix_news_deliveries_due", "news_deliveries", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_news_deliveries_subscriber_id"), "news_deliveries",
                    ["subscriber_id"])  # fmt: skip
    op.bulk_insert(
        categories,
        [
            {"slug": s, "name": n, "position": i, "active": True}
            for i, (s, n) in enumerate(CATEGORIES, start=1)
        ],
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("news_deliveries")
    op.drop_table("news_subscribers")
    op.drop_table("announcements")
    op.drop_table("news_categories")
