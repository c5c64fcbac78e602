"""Initial schema: departments, agents and their status, queues, membership, calls, recordings.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

OUTCOMES = "'in_progress', 'answered', 'abandoned', 'message', 'unanswered', 'lost'"
CONSENTS = "'given', 'declined', 'not_asked', 'always'"


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _agents_tables() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("static_contact", sa.String(length=255), nullable=True),
        sa.Column("created_at", _utc(), server_default=sa.func.now(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_agents_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_agents_endpoint")),
        sa.UniqueConstraint("username", name=op.f("uq_agents_username")),
    )
    op.create_index(op.f("ix_agents_department_id"), "agents", ["department_id"])
    op.create_table(
        "agent_statuses",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("logged_in", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pause_reason", sa.String(length=60), server_default="", nullable=False),
        sa.Column("changed_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_agent_statuses_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_statuses")),
    )
    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("strategy", sa.String(length=32), server_default="rrmemory", nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_queues_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("name", name=op.f("uq_queues_name")),
    )
    op.create_index(op.f("ix_queues_department_id"), "queues", ["department_id"])
    op.create_table(
        "queue_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("penalty", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_queue_memberships_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["queues.id"],
            name=op.f("fk_queue_memberships_queue_id_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_memberships")),
        sa.UniqueConstraint(
            "queue_id", "agent_id", name=op.f("uq_queue_memberships_queue_id_agent_id")
        ),
    )
    op.create_index(op.f("ix_queue_memberships_agent_id"), "queue_memberships", ["agent_id"])


def _calls_tables() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("caller_number", sa.String(length=400), server_default="", nullable=False),
        sa.Column("caller_name", sa.String(length=400), server_default="", nullable=False),
        sa.Column("dialled", sa.String(length=400), server_default="", nullable=False),
        sa.Column("entered_at", _utc(), nullable=True),
        sa.Column("queued_at", _utc(), nullable=True),
        sa.Column("answered_at", _utc(), nullable=True),
        sa.Column("ended_at", _utc(), nullable=True),
        sa.Column("queue", sa.String(length=128), nullable=True),
        sa.Column("agent", sa.String(length=255), nullable=True),
        sa.Column("outcome", sa.String(length=16), server_default="in_progress", nullable=False),
        sa.Column("wait_seconds", sa.Double(), nullable=True),
        sa.Column("talk_seconds", sa.Double(), nullable=True),
        sa.Column("routing_action", sa.String(length=64), nullable=True),
        sa.Column("routing_target", sa.String(length=255), nullable=True),
        sa.Column("routing_reason", sa.Text(), nullable=True),
        sa.Column("fallback", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recording_consent", sa.String(length=16), nullable=True),
        sa.Column("end_cause", sa.String(length=255), nullable=True),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_calls_outcome")),
        sa.CheckConstraint(
            f"recording_consent IN ({CONSENTS})", name=op.f("ck_calls_recording_consent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_calls_call_id")),
    )
    op.create_index("ix_calls_caller_answered", "calls", ["caller_number", "answered_at"])
    op.create_index(op.f("ix_calls_ended_at"), "calls", ["ended_at"])
    op.create_index(op.f("ix_calls_entered_at"), "calls", ["entered_at"])
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_call_events_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
    )
    op.create_index("ix_call_events_call_at", "call_events", ["call_id", "at"])
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.Double(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", _utc(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('call', 'message')", name=op.f("ck_recordings_kind")),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.call_id"],
            name=op.f("fk_recordings_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("call_id", "path", name=op.f("uq_recordings_call_id_path")),
    )


def upgrade() -> None:
    """Create every table of the first release."""
    _agents_tables()
    _calls_tables()


def downgrade() -> None:
    """Drop every table of the first release."""
    for table in (
        "recordings",
        "call_events",
        "calls",
        "queue_memberships",
        "queues",
        "agent_statuses",
        "agents",
        "departments",
    ):
        op.drop_table(table)
