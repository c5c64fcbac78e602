"""PostgreSQL: ``transcript_terms`` rows kept narrow, their text and vector in TOAST.

Migration 0014 kept each row's ``search_vector`` inline (``toast_tuple_target`` 8160): a
row of ~4.5 KB, the table ~490 MB for 100,000 transcripts. Finding the newest matches of a
word in a few thousand calls then read a heap page per match, mostly from outside
PostgreSQL's buffers (~3-8 µs each). With the smallest target (128 bytes) the lemmas, the
word starts and the vector are stored out of line, a row is ~100 bytes and the whole heap
(10 MB) stays cached: a match costs ~0.4 µs, a vector read for ranking ~12 µs, and only the
100 newest matches are ranked (``cic.review.search``). Existing rows are rewritten so
the new layout applies to them too. Nothing changes on SQLite.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Set the smallest TOAST target and rewrite the existing rows under it."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE transcript_terms SET (toast_tuple_target = 128)")
    op.execute("UPDATE transcript_terms SET lemmas = lemmas")


def downgrade() -> None:
    """Back to 0014's inline rows (new and updated rows; existing ones stay as they are)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE transcript_terms SET (toast_tuple_target = 8160)")
