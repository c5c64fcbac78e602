"""Residents and their phone numbers (several per resident; merged duplicates kept); the
knowledge-base article a transfer carries to the colleague.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``residents`` and ``resident_numbers``; add ``transfers.article``."""
    with op.batch_alter_table("transfers") as batch:
        batch.add_column(
            sa.Column("article", sa.String(length=128), server_default="", nullable=False)
        )
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["residents.id"],
            name=op.f("fk_residents_merged_into_residents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
    )
    op.create_index(op.f("ix_residents_merged_into"), "residents", ["merged_into"], unique=False)
    op.create_table(
        "resident_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=60), server_default="", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_resident_numbers_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_numbers")),
        sa.UniqueConstraint("number", name=op.f("uq_resident_numbers_number")),
    )
    op.create_index(
        op.f("ix_resident_numbers_resident_id"), "resident_numbers", ["resident_id"], unique=False
    )


def downgrade() -> None:
    """Drop ``resident_numbers``, ``residents`` and ``transfers.article``."""
    with op.batch_alter_table("transfers") as batch:
        batch.drop_column("article")
    op.drop_index(op.f("ix_resident_numbers_resident_id"), table_name="resident_numbers")
    op.drop_table("resident_numbers")
    op.drop_index(op.f("ix_residents_merged_into"), table_name="residents")
    op.drop_table("residents")
