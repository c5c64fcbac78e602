"""The resident portal's page views per day and page (counts only, no visitor data).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``portal_page_views``."""
    op.create_table(
        "portal_page_views",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("path", sa.String(200), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    """Drop ``portal_page_views``."""
    op.drop_table("portal_page_views")
