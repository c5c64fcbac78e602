"""The office's opening-mode switch (auto, open, closed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``office_mode``."""
    op.create_table(
        "office_mode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), server_default="auto", nullable=False),
        sa.Column("changed_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_mode")),
    )


def downgrade() -> None:
    """Drop ``office_mode``."""
    op.drop_table("office_mode")
