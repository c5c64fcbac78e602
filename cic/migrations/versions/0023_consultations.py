"""Public consultations: the consultation, its documents and residents' comments.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | None = None
depends_on: str | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _parent() -> sa.Column[object]:
    return sa.Column("consultation_id", sa.Integer(), nullable=False)


def _cascade(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["consultation_id"], ["consultations.id"],
        name=op.f(f"fk_{table}_consultation_id_consultations"), ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "consultations",
        _id(),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("names", sa.String(length=10), nullable=False),
        sa.Column("ask_solectwo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("report_intro", sa.Text(), nullable=False),
        _when("report_published_at", nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultations_slug")),
    )
    op.create_table(
        "consultation_documents",
        _id(),
        _parent(),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _when("created_at"),
        _cascade("consultation_documents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_documents")),
    )
    op.create_index(
        op.f("ix_consultation_documents_consultation_id"), "consultation_documents",
        ["consultation_id"], unique=False,
    )  # fmt: skip
    op.create_table(
        "consultation_comments",
        _id(),
        _parent(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_consent", sa.Text(), nullable=False),
        sa.Column("solectwo", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        _when("created_at"),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        sa.Column("moderated_by", sa.String(length=64), nullable=False),
        _when("moderated_at", nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        _cascade("consultation_comments"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["consultation_documents.id"],
            name=op.f("fk_consultation_comments_document_id_consultation_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_comments")),
        sa.UniqueConstraint(
            "consultation_id",
            "number",
            name=op.f("uq_consultation_comments_consultation_id_number"),
        ),
        sa.UniqueConstraint("nonce", name=op.f("uq_consultation_comments_nonce")),
    )
    op.create_index(
        "ix_consultation_comments_document_id", "consultation_comments", ["document_id"],
        unique=False,
    )  # fmt: skip


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("ix_consultation_comments_document_id", table_name="consultation_comments")
    op.drop_table("consultation_comments")
    op.drop_index(
        op.f("ix_consultation_documents_consultation_id"), table_name="consultation_documents"
    )
    op.drop_table("consultation_documents")
    op.drop_table("consultations")
