"""Recording files, post-call jobs, transcripts and topics.

Tables: ``post_call_jobs`` (durable transcribe/redact/tag jobs, unique per call and recording),
``recording_channels`` (per-speaker files with checksums), ``call_transcripts`` (redacted,
one per call), ``call_topics`` (auto / wrapup / supervisor), ``topic_corrections`` (every
supervisor correction) and ``legal_holds``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def _now() -> sa.Column[object]:
    return sa.Column("created_at", TS, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    """Create the recordings domain's tables."""
    op.create_table(
        "post_call_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("recording_path", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), server_default="queued", nullable=False),
        sa.Column("step", sa.String(32), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="4", nullable=False),
        sa.Column("next_at", TS, server_default=sa.func.now(), nullable=False),
        sa.Column("lease_owner", sa.String(128), server_default="", nullable=False),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        _now(),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_call_jobs")),
        sa.UniqueConstraint(
            "call_id", "recording_path", name=op.f("uq_post_call_jobs_call_id_recording_path")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_post_call_jobs_status"),
        ),
    )
    op.create_index(op.f("ix_post_call_jobs_call_id"), "post_call_jobs", ["call_id"])
    op.create_index("ix_post_call_jobs_status_next", "post_call_jobs", ["status", "next_at"])
    op.create_table(
        "recording_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.Double(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_channels")),
        sa.UniqueConstraint(
            "call_id", "speaker", name=op.f("uq_recording_channels_call_id_speaker")
        ),
    )
    op.create_index(op.f("ix_recording_channels_call_id"), "recording_channels", ["call_id"])
    op.create_table(
        "call_transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("engine", sa.String(64), server_default="", nullable=False),
        sa.Column("model", sa.String(255), server_default="", nullable=False),
        sa.Column("language", sa.String(16), server_default="pl", nullable=False),
        sa.Column("split_by_speaker", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("duration_seconds", sa.Double(), server_default="0", nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("unredacted", sa.Text(), nullable=True),
        _now(),
        sa.Column("updated_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_transcripts")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_transcripts_call_id")),
    )
    op.create_table(
        "call_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("topic_id", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Double(), server_default="1", nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("matched", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), server_default="", nullable=False),
        _now(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_topics")),
        sa.UniqueConstraint(
            "call_id", "topic_id", "source", name=op.f("uq_call_topics_call_id_topic_id_source")
        ),
        sa.CheckConstraint(
            "source IN ('auto', 'wrapup', 'supervisor')", name=op.f("ck_call_topics_source")
        ),
    )
    op.create_index(op.f("ix_call_topics_call_id"), "call_topics", ["call_id"])
    op.create_table(
        "topic_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("corrected_by", sa.String(64), nullable=False),
        sa.Column("at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_corrections")),
    )
    op.create_index(op.f("ix_topic_corrections_call_id"), "topic_corrections", ["call_id"])
    op.create_table(
        "legal_holds",
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_legal_holds")),
    )


def downgrade() -> None:
    """Drop the recordings domain's tables."""
    for table in (
        "legal_holds",
        "topic_corrections",
        "call_topics",
        "call_transcripts",
        "recording_channels",
        "post_call_jobs",
    ):
        op.drop_table(table)
