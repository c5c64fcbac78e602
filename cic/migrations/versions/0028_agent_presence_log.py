"""The history of agents' logins and logouts, for the staffing forecast's logged-in agents.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "agent_presence_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_in", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_presence_log_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_presence_log")),
    )
    op.create_index("ix_agent_presence_log_at", "agent_presence_log", ["at"], unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_agent_presence_log_at", table_name="agent_presence_log")
    op.drop_table("agent_presence_log")
