"""Transfers of residents' calls and their legs (consult, attended, blind).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``transfers`` and ``transfer_legs``."""
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("active_call_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("from_agent", sa.String(length=255), server_default="", nullable=False),
        sa.Column("from_channel", sa.String(length=255), server_default="", nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("target_interface", sa.String(length=255), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("caller_number", sa.String(length=400), server_default="", nullable=False),
        sa.Column("caller_name", sa.String(length=400), server_default="", nullable=False),
        sa.Column("matter", sa.String(length=128), server_default="", nullable=False),
        sa.Column("reason", sa.String(length=255), server_default="", nullable=False),
        sa.Column("requested_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("active_call_id", name=op.f("uq_transfers_active_call_id")),
    )
    op.create_index(op.f("ix_transfers_call_id"), "transfers", ["call_id"])
    op.create_table(
        "transfer_legs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("party", sa.String(length=255), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_legs_transfer_id_transfers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_legs")),
    )
    op.create_index(op.f("ix_transfer_legs_transfer_id"), "transfer_legs", ["transfer_id"])


def downgrade() -> None:
    """Drop ``transfer_legs`` and ``transfers``."""
    op.drop_index(op.f("ix_transfer_legs_transfer_id"), table_name="transfer_legs")
    op.drop_table("transfer_legs")
    op.drop_index(op.f("ix_transfers_call_id"), table_name="transfers")
    op.drop_table("transfers")
