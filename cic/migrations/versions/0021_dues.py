"""Dues: the payers of the office's finance system (number, PIN hash, initials) and their
items (what is due, by when, to which account).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``dues_payers`` and ``dues_items``."""
    op.create_table(
        "dues_payers",
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_dues_payers")),
    )
    op.create_table(
        "dues_items",
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("payer", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("account", sa.String(length=26), nullable=False),
        sa.Column("transfer_title", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount > 0 AND paid >= 0 AND paid <= amount", name=op.f("ck_dues_items_amounts")
        ),
        sa.ForeignKeyConstraint(
            ["payer"],
            ["dues_payers.number"],
            name=op.f("fk_dues_items_payer_dues_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_dues_items")),
    )
    op.create_index(op.f("ix_dues_items_payer"), "dues_items", ["payer"], unique=False)


def downgrade() -> None:
    """Drop the dues tables."""
    op.drop_index(op.f("ix_dues_items_payer"), table_name="dues_items")
    op.drop_table("dues_items")
    op.drop_table("dues_payers")
