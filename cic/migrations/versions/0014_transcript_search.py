"""Search over call transcripts: ``transcript_terms`` (folded lemmas per call) and its index.

SQLite: an external-content FTS5 table ``transcript_terms_fts`` kept in step by triggers (so
any insert, update or delete of a ``transcript_terms`` row updates the index). PostgreSQL: a
stored ``tsvector`` column (``'simple'`` configuration, kept uncompressed) with a GIN index.
Existing transcripts are indexed here as the application indexed them when this migration was
written: the indexing (``index_text``, ``index_starts`` and the Polish text helpers they use,
then in ``cic.recordings.search`` and ``cic.kb.text``) is copied below, frozen, so a later
change to the live code cannot change what this migration did.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from alembic import op
from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

BATCH = 1000
SQLITE_UP = [
    "CREATE VIRTUAL TABLE transcript_terms_fts USING fts5(lemmas, content='transcript_terms',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER transcript_terms_fts_ai AFTER INSERT ON transcript_terms BEGIN"
    " INSERT INTO transcript_terms_fts(rowid, lemmas) VALUES (new.id, new.lemmas); END",
    "CREATE TRIGGER transcript_terms_fts_ad AFTER DELETE ON transcript_terms BEGIN"
    " INSERT INTO transcript_terms_fts(transcript_terms_fts, rowid, lemmas)"
    " VALUES ('delete', old.id, old.lemmas); END",
    "CREATE TRIGGER transcript_terms_fts_au AFTER UPDATE ON transcript_terms BEGIN"
    " INSERT INTO transcript_terms_fts(transcript_terms_fts, rowid, lemmas)"
    " VALUES ('delete', old.id, old.lemmas);"
    " INSERT INTO transcript_terms_fts(rowid, lemmas) VALUES (new.id, new.lemmas); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS transcript_terms_fts_ai",
    "DROP TRIGGER IF EXISTS transcript_terms_fts_ad",
    "DROP TRIGGER IF EXISTS transcript_terms_fts_au",
    "DROP TABLE IF EXISTS transcript_terms_fts",
]
POSTGRES_UP = [
    "ALTER TABLE transcript_terms ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', lemmas)) STORED",
    "CREATE INDEX ix_transcript_terms_search_vector ON transcript_terms USING gin (search_vector)",
    # ts_rank reads every ranked row's vector: kept uncompressed (inline up to a page) it needs
    # no decompression, about three times faster than the default for 2,000 rows.
    "ALTER TABLE transcript_terms ALTER COLUMN search_vector SET STORAGE EXTERNAL",
    "ALTER TABLE transcript_terms SET (toast_tuple_target = 8160)",
]


# --- the indexing as it was at this revision (frozen copy; do not import live code) --------

WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a aby ale albo ani az bo by byc co czy dla do gdy gdzie i ich ile im jak jaki jakie
    jako je jego jej jest juz ktory mi mnie moj na nad nie niz o od oraz po pod przez przy
    sie ta tak te ten to tu u w we wiec z za ze zeby kiedy czego mam moge mozna prosze
    chce chcialbym chcialabym jestem mój być""".split()
)
_LEMMATIZER = Lemmatizer(
    lemmatization_strategy=DefaultStrategy(dictionary_factory=LOW_MEMORY_DICTIONARY_FACTORY)
)


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without Polish diacritics (``Żółć`` → ``zolc``; ``ł`` → ``l``)."""
    text = text.lower().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The folded lemma of one word (simplemma's Polish dictionary; the word itself if unknown)."""
    lowered = word.lower()
    return fold(_LEMMATIZER.lemmatize(lowered, lang="pl"))


def is_stopword(word: str) -> bool:
    """True for Polish function words that carry no meaning for search."""
    return fold(word) in STOPWORDS


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` with their positions."""
    return WORD.finditer(text)


def index_text(transcript: str) -> str:
    """The folded lemmas of the meaningful words of ``transcript`` (plus differing forms)."""
    out: list[str] = []
    for match in words(transcript):
        word = match.group()
        if is_stopword(word):
            continue
        own, surface = lemma(word), fold(word)
        out.append(own)
        if surface != own:
            out.append(surface)
    return " ".join(out)


def index_starts(segments: Sequence[Mapping[str, Any]]) -> str:
    """A line per segment: its speaker, then the start of each of its words (centiseconds);
    a word written with spaces counts once per space-separated piece, as in ``text``."""
    lines = []
    for segment in segments:
        starts = [str(segment.get("speaker") or "-")]
        for word in segment.get("words") or ():
            if not isinstance(word, Mapping):
                continue
            start = word.get("start")
            cs = str(round(start * 100)) if isinstance(start, int | float) else "-"
            starts += [cs] * len(str(word.get("text", "")).split(" "))
        lines.append(" ".join(starts))
    return "\n".join(lines)


# --- the migration ------------------------------------------------------------------------


def backfill() -> None:
    """Index every transcript already stored, a batch at a time."""
    transcripts = sa.table(
        "call_transcripts",
        sa.column("id", sa.Integer),
        sa.column("call_id"),
        sa.column("text"),
        sa.column("segments", sa.JSON),
    )
    terms = sa.table(
        "transcript_terms", sa.column("call_id"), sa.column("lemmas"), sa.column("starts")
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                transcripts.c.id, transcripts.c.call_id, transcripts.c.text, transcripts.c.segments
            )
            .where(transcripts.c.id > last)
            .order_by(transcripts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            terms.insert(),
            [
                {
                    "call_id": r.call_id,
                    "lemmas": index_text(r.text or ""),
                    "starts": index_starts(r.segments or []),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def upgrade() -> None:
    """Create ``transcript_terms`` and the engine's index, then index existing transcripts."""
    op.create_table(
        "transcript_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("lemmas", sa.Text(), nullable=False),
        sa.Column("starts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_terms")),
        sa.UniqueConstraint("call_id", name=op.f("uq_transcript_terms_call_id")),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)
    backfill()


def downgrade() -> None:
    """Drop the index and ``transcript_terms``."""
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_transcript_terms_search_vector")
    op.drop_table("transcript_terms")
