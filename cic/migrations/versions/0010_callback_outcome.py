"""Calls may end with outcome ``callback``: the resident left the queue to be called back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

BEFORE = "'in_progress', 'answered', 'abandoned', 'message', 'unanswered', 'lost'"
AFTER = BEFORE + ", 'callback'"


def _outcomes(allowed: str) -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_outcome"), type_="check")
        batch.create_check_constraint(op.f("ck_calls_outcome"), f"outcome IN ({allowed})")


def upgrade() -> None:
    """Allow ``callback`` in ``calls.outcome``."""
    _outcomes(AFTER)


def downgrade() -> None:
    """Back to the six outcomes (callback calls become ``unanswered``)."""
    op.execute("UPDATE calls SET outcome = 'unanswered' WHERE outcome = 'callback'")
    _outcomes(BEFORE)
