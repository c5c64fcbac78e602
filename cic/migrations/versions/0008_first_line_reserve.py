"""First-line reserve: specialists the first line may borrow when swamped, and who is borrowed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``first_line_reserve``."""
    op.create_table(
        "first_line_reserve",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("reserve", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("penalty", sa.Integer(), nullable=True),
        sa.Column("in_first_line", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("added_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_first_line_reserve_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_first_line_reserve")),
    )


def downgrade() -> None:
    """Drop ``first_line_reserve``."""
    op.drop_table("first_line_reserve")
