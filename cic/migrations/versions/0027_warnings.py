"""Warnings to residents and the subscriptions with consent that decide who gets them.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, default: str = "") -> sa.Column[object]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _short(name: str, length: int, default: str = "") -> sa.Column[object]:
    return sa.Column(name, sa.String(length=length), server_default=default, nullable=False)


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _text("details"),
        _short("severity", 16, "ostrzezenie"),
        _text("solectwa", "[]"),
        _text("channels", '["portal"]'),
        _when("valid_from"),
        _when("valid_until"),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        _short("audio", 255),
        _short("state", 16, "szkic"),
        _short("created_by", 64),
        _short("sent_by", 64),
        _short("cancelled_by", 64),
        _when("created_at"),
        _when("sent_at", nullable=True),
        _when("cancelled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
    )
    op.create_index(op.f("ix_warnings_valid_until"), "warnings", ["valid_until"], unique=False)
    op.create_table(
        "warning_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        _text("solectwa", "[]"),
        _text("pending_solectwa", "[]"),
        _short("state", 16, "pending"),
        _short("consent_how", 16),
        _when("consent_at", nullable=True),
        _short("consent_call_id", 64),
        _short("consent_official", 64),
        _text("consent_text"),
        _short("consent_version", 16),
        _short("code_hash", 64),
        _short("code_purpose", 16),
        _when("code_expires_at", nullable=True),
        sa.Column("code_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("generation", sa.Integer(), server_default="0", nullable=False),
        _when("created_at"),
        _when("unsubscribed_at", nullable=True),
        _short("unsubscribed_how", 16),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_subscriptions")),
        sa.UniqueConstraint(
            "channel", "address", name=op.f("uq_warning_subscriptions_channel_address")
        ),
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("warning_subscriptions")
    op.drop_index(op.f("ix_warnings_valid_until"), table_name="warnings")
    op.drop_table("warnings")
