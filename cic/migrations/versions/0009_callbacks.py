"""Callback requests: one per call, with attempts, agent and outcome.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``callback_requests``."""
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), server_default="1", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("agent", sa.String(length=255), server_default="", nullable=False),
        sa.Column("last_result", sa.String(length=32), server_default="", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("shown_number", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
        sa.UniqueConstraint("call_id", name=op.f("uq_callback_requests_call_id")),
    )
    op.create_index(
        op.f("ix_callback_requests_status"), "callback_requests", ["status"], unique=False
    )


def downgrade() -> None:
    """Drop ``callback_requests``."""
    op.drop_index(op.f("ix_callback_requests_status"), table_name="callback_requests")
    op.drop_table("callback_requests")
