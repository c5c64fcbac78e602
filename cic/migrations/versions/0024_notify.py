"""The notification store: a message per batch and a delivery per recipient and channel
(warnings to residents, call-outs to responders).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "notify_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), server_default="", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audio", sa.String(length=255), server_default="", nullable=False),
        sa.Column("confirm", sa.Boolean(), server_default="0", nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_messages")),
        sa.UniqueConstraint("batch", name=op.f("uq_notify_messages_batch")),
    )
    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("recipient", sa.String(length=64), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="1", nullable=False),
        _when("next_at"),
        _when("updated_at"),
        _when("confirmed_at", nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
        sa.UniqueConstraint(
            "batch", "channel", "address", name=op.f("uq_notify_deliveries_batch_channel_address")
        ),
    )
    op.create_index(
        op.f("ix_notify_deliveries_batch"), "notify_deliveries", ["batch"], unique=False
    )
    op.create_index(
        "ix_notify_deliveries_due", "notify_deliveries", ["channel", "status", "next_at"]
    )


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_index("ix_notify_deliveries_due", table_name="notify_deliveries")
    op.drop_index(op.f("ix_notify_deliveries_batch"), table_name="notify_deliveries")
    op.drop_table("notify_deliveries")
    op.drop_table("notify_messages")
