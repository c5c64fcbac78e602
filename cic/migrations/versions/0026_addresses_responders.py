"""The address register (address points) and the responders with their dispatches.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "address_points",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("postcode", sa.String(length=6), nullable=False),
        sa.Column("solectwo", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("place_key", sa.String(length=100), nullable=False),
        sa.Column("street_key", sa.String(length=100), nullable=False),
        sa.Column("number_key", sa.String(length=20), nullable=False),
        sa.Column("search", sa.String(length=300), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address_points")),
        sa.UniqueConstraint("key", name=op.f("uq_address_points_key")),
    )
    op.create_index("ix_address_points_lookup", "address_points", ["number_key", "place_key"])
    op.create_index(op.f("ix_address_points_search"), "address_points", ["search"])
    op.create_table(
        "responders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("channels", sa.String(length=40), nullable=False),
        sa.Column("always_on", sa.Boolean(), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("exceptions", sa.JSON(), nullable=False),
        sa.Column("availability", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responders")),
    )
    op.create_index(op.f("ix_responders_kind"), "responders", ["kind"])
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("sent_by", sa.String(length=64), nullable=False),
        _when("sent_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("answered_at", nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["responder_id"], ["responders.id"], name=op.f("fk_dispatches_responder_id_responders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    op.create_index(op.f("ix_dispatches_incident_id"), "dispatches", ["incident_id"])
    op.create_index(op.f("ix_dispatches_responder_id"), "dispatches", ["responder_id"])
    op.create_table(
        "dispatch_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_dispatch_events_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_events")),
    )
    op.create_index(op.f("ix_dispatch_events_dispatch_id"), "dispatch_events", ["dispatch_id"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("dispatch_events")
    op.drop_table("dispatches")
    op.drop_table("responders")
    op.drop_table("address_points")
