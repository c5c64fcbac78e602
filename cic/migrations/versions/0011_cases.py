"""The case register: JRWA classes, case counters, cases, parties, metryka, contact reports.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

CASE_STATUSES = "'wszczeta', 'w_toku', 'zawieszona', 'zakonczona'"
DEADLINE_KINDS = "'niezwlocznie', 'miesiac', 'dwa_miesiace', 'zaswiadczenie', 'brak'"
REPORT_STATUSES = "'nowe', 'w_toku', 'przekazane', 'zamkniete'"


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Create the tables of the case register."""
    op.create_table(
        "jrwa_classes",
        sa.Column("symbol", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=10), server_default="", nullable=False),
        _when("loaded_at"),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_jrwa_classes")),
    )
    op.create_table(
        "case_counters",
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("jrwa", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("unit", "jrwa", "year", name=op.f("pk_case_counters")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("jrwa", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_to", sa.String(length=64), server_default="", nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("deadline_kind", sa.String(length=16), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint(f"status IN ({CASE_STATUSES})", name=op.f("ck_cases_status")),
        sa.CheckConstraint(
            f"deadline_kind IN ({DEADLINE_KINDS})", name=op.f("ck_cases_deadline_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("signature", name=op.f("uq_cases_signature")),
        sa.UniqueConstraint(
            "unit", "jrwa", "year", "number", name=op.f("uq_cases_unit_jrwa_year_number")
        ),
    )
    op.create_index("ix_cases_status_deadline", "cases", ["status", "deadline"], unique=False)
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=300), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_case_parties_case_id_cases"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_parties")),
    )  # fmt: skip
    op.create_index(op.f("ix_case_parties_case_id"), "case_parties", ["case_id"], unique=False)
    op.create_table(
        "case_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("document_id", sa.String(length=128), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_case_actions_case_id_cases"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_actions")),
    )  # fmt: skip
    op.create_index(op.f("ix_case_actions_case_id"), "case_actions", ["case_id"], unique=False)
    op.create_table(
        "case_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        _when("linked_at"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_case_calls_case_id_cases"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_calls")),
        sa.UniqueConstraint("case_id", "call_id", name=op.f("uq_case_calls_case_id_call_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_case_calls_call_id"), "case_calls", ["call_id"], unique=False)
    op.create_table(
        "contact_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("department", sa.String(length=50), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint(
            f"status IN ({REPORT_STATUSES})", name=op.f("ck_contact_reports_status")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_contact_reports_case_id_cases"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_reports")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_contact_reports_case_id"), "contact_reports", ["case_id"], unique=False
    )
    op.create_index(
        "ix_contact_reports_status_department",
        "contact_reports",
        ["status", "department"],
        unique=False,
    )
    op.create_table(
        "contact_report_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        _when("linked_at"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["contact_reports.id"],
            name=op.f("fk_contact_report_calls_report_id_contact_reports"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_report_calls")),
        sa.UniqueConstraint(
            "report_id", "call_id", name=op.f("uq_contact_report_calls_report_id_call_id")
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_contact_report_calls_call_id"), "contact_report_calls", ["call_id"], unique=False
    )


def downgrade() -> None:
    """Drop the tables of the case register (children first)."""
    op.drop_index(op.f("ix_contact_report_calls_call_id"), table_name="contact_report_calls")
    op.drop_table("contact_report_calls")
    op.drop_index("ix_contact_reports_status_department", table_name="contact_reports")
    op.drop_index(op.f("ix_contact_reports_case_id"), table_name="contact_reports")
    op.drop_table("contact_reports")
    op.drop_index(op.f("ix_case_calls_call_id"), table_name="case_calls")
    op.drop_table("case_calls")
    op.drop_index(op.f("ix_case_actions_case_id"), table_name="case_actions")
    op.drop_table("case_actions")
    op.drop_index(op.f("ix_case_parties_case_id"), table_name="case_parties")
    op.drop_table("case_parties")
    op.drop_index("ix_cases_status_deadline", table_name="cases")
    op.drop_table("cases")
    op.drop_table("case_counters")
    op.drop_table("jrwa_classes")
