"""Contact channels beside the phone: a report's channel, resident, contact and reply target;
its messages (in and out) with attachments; how far each mailbox folder has been read;
residents' e-mail addresses and a keyed hash of their PESEL.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | None = None
depends_on: str | None = None

CHANNELS = "'telefon', 'email', 'www', 'osobiscie', 'epuap'"


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), server_default="", nullable=False)


def upgrade() -> None:
    """Create the channel tables; add the channel columns to reports and residents."""
    op.create_table(
        "mail_cursors",
        sa.Column("mailbox", sa.String(length=600), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("mailbox", name=op.f("pk_mail_cursors")),
    )
    op.create_table(
        "resident_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_resident_emails_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_emails")),
        sa.UniqueConstraint("address", name=op.f("uq_resident_emails_address")),
    )
    op.create_index(
        op.f("ix_resident_emails_resident_id"), "resident_emails", ["resident_id"], unique=False
    )
    op.create_table(
        "channel_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("purpose", sa.String(length=16), server_default="", nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        _text("in_reply_to"),
        _text("references"),
        sa.Column("from_address", sa.String(length=320), server_default="", nullable=False),
        sa.Column("from_name", sa.String(length=300), server_default="", nullable=False),
        _text("to_addresses"),
        _text("subject"),
        _text("body_text"),
        _text("body_html"),
        sa.Column("auto", sa.String(length=16), server_default="", nullable=False),
        sa.Column("sender_check", sa.String(length=8), server_default="", nullable=False),
        _text("defects"),
        _text("consent"),
        sa.Column("unparseable", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), server_default="", nullable=False),
        sa.Column("size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("author", sa.String(length=64), server_default="", nullable=False),
        _when("sent_at", nullable=True),
        _when("received_at"),
        sa.Column("send_state", sa.String(length=16), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _when("next_attempt_at", nullable=True),
        _text("last_error"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["contact_reports.id"],
            name=op.f("fk_channel_messages_report_id_contact_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_channel_messages_message_id")),
    )
    for name, columns in (
        (op.f("ix_channel_messages_from_address"), ["from_address"]),
        (op.f("ix_channel_messages_report_id"), ["report_id"]),
        ("ix_channel_messages_sending", ["send_state", "next_attempt_at"]),
    ):
        op.create_index(name, "channel_messages", columns, unique=False)
    op.create_table(
        "channel_attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), server_default="", nullable=False),
        sa.Column("detected_type", sa.String(length=255), server_default="", nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), server_default="", nullable=False),
        sa.Column("rejected", sa.String(length=300), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["channel_messages.id"],
            name=op.f("fk_channel_attachments_message_id_channel_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_attachments")),
    )
    op.create_index(
        op.f("ix_channel_attachments_message_id"), "channel_attachments", ["message_id"]
    )
    with op.batch_alter_table("contact_reports") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), server_default="telefon", nullable=False)
        )
        batch.add_column(sa.Column("resident_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("contact", sa.String(length=300), server_default="", nullable=False)
        )
        batch.add_column(_when("waiting_since", nullable=True))
        batch.add_column(sa.Column("reply_due", sa.Date(), nullable=True))
        batch.add_column(_when("answered_at", nullable=True))
        batch.create_index(batch.f("ix_contact_reports_resident_id"), ["resident_id"])
        batch.create_index("ix_contact_reports_waiting", ["waiting_since"])
        batch.create_foreign_key(
            batch.f("fk_contact_reports_resident_id_residents"), "residents",
            ["resident_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch.create_check_constraint(
            batch.f("ck_contact_reports_channel"), f"channel IN ({CHANNELS})"
        )
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("pesel_digest", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_residents_pesel_digest"), ["pesel_digest"])


def downgrade() -> None:
    """Drop what :func:`upgrade` added."""
    with op.batch_alter_table("residents") as batch:
        batch.drop_constraint(batch.f("uq_residents_pesel_digest"), type_="unique")
        batch.drop_column("pesel_digest")
    with op.batch_alter_table("contact_reports") as batch:
        batch.drop_constraint(batch.f("ck_contact_reports_channel"), type_="check")
        batch.drop_constraint(
            batch.f("fk_contact_reports_resident_id_residents"), type_="foreignkey"
        )
        batch.drop_index("ix_contact_reports_waiting")
        batch.drop_index(batch.f("ix_contact_reports_resident_id"))
        for column in ("answered_at", "reply_due", "waiting_since", "contact", "resident_id",
                       "channel"):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("channel_attachments")
    op.drop_table("channel_messages")
    op.drop_table("resident_emails")
    op.drop_table("mail_cursors")
