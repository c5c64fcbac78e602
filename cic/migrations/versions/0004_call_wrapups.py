"""Wrap-up of a call by each agent who handled it (outcome, topic, note).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``call_wrapups``."""
    op.create_table(
        "call_wrapups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("agent", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=200), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_call_wrapups_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_wrapups")),
        sa.UniqueConstraint("call_id", "agent", name=op.f("uq_call_wrapups_call_id_agent")),
    )


def downgrade() -> None:
    """Drop ``call_wrapups``."""
    op.drop_table("call_wrapups")
