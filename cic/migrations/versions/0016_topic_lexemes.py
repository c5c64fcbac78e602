"""PostgreSQL: each search row's vector also holds a lexeme per topic of its call.

A transcript search limited to one topic found the newest matches of the words, then kept
those of the topic's calls: "zezwolenie na alkohol" limited to tree removal looked at all
8,000 calls saying it to keep a few (62 ms over 100,000 calls). With the topic's lexeme in
the vector the GIN index finds the calls that say it *and* have the topic (0.7 ms).

``transcript_terms.topic_lexemes`` holds ``cic_topic_lexeme(topic)`` for every topic row of
the call (automatic, wrap-up or a supervisor's, as ``cic.review.review.on_topics`` reads
them); triggers keep it in step whoever writes ``call_topics`` or the search row, so no
application path can forget it. ``search_vector`` is generated from the lemmas and these
lexemes. Nothing changes on SQLite, where the search joins the filters while reading its
FTS5 index backwards.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None

# ``cic.review.search_terms.topic_lexeme`` computes the same in Python (for the query).
UP = [
    "ALTER TABLE transcript_terms ADD COLUMN topic_lexemes text NOT NULL DEFAULT ''",
    "CREATE FUNCTION cic_topic_lexeme(topic text) RETURNS text LANGUAGE sql IMMUTABLE"
    " AS $$ SELECT 'temat' || substr(md5(topic), 1, 16) $$",
    "CREATE FUNCTION cic_call_topic_lexemes(text) RETURNS text LANGUAGE sql STABLE"
    " AS $$ SELECT coalesce(string_agg(DISTINCT cic_topic_lexeme(topic_id), ' '), '')"
    " FROM call_topics WHERE call_id = $1 $$",
    # The call's search row, rewritten only when its lexemes change (reading them once).
    "CREATE FUNCTION cic_refresh_topic_lexemes(text) RETURNS void LANGUAGE sql"
    " AS $$ WITH fresh AS (SELECT cic_call_topic_lexemes($1) AS lexemes)"
    " UPDATE transcript_terms SET topic_lexemes = fresh.lexemes FROM fresh"
    " WHERE call_id = $1 AND topic_lexemes IS DISTINCT FROM fresh.lexemes $$",
    """CREATE FUNCTION cic_call_topics_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            PERFORM cic_refresh_topic_lexemes(NEW.call_id);
        END IF;
        IF TG_OP = 'DELETE' THEN
            PERFORM cic_refresh_topic_lexemes(OLD.call_id);
        ELSIF TG_OP = 'UPDATE' THEN
            IF OLD.call_id IS DISTINCT FROM NEW.call_id THEN
                PERFORM cic_refresh_topic_lexemes(OLD.call_id);
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION cic_transcript_terms_topics() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.topic_lexemes := cic_call_topic_lexemes(NEW.call_id);
        RETURN NEW;
    END $$""",
    "DROP INDEX ix_transcript_terms_search_vector",
    "ALTER TABLE transcript_terms DROP COLUMN search_vector",
    "UPDATE transcript_terms SET topic_lexemes = cic_call_topic_lexemes(call_id)",
    "ALTER TABLE transcript_terms ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
    " (to_tsvector('simple', lemmas || ' ' || topic_lexemes)) STORED",
    "ALTER TABLE transcript_terms ALTER COLUMN search_vector SET STORAGE EXTERNAL",
    # Rewritten once more so that the existing rows' vectors are stored as 0014 chose.
    "UPDATE transcript_terms SET lemmas = lemmas",
    "CREATE INDEX ix_transcript_terms_search_vector ON transcript_terms USING gin (search_vector)",
    "CREATE TRIGGER transcript_terms_topics BEFORE INSERT OR UPDATE OF call_id"
    " ON transcript_terms FOR EACH ROW EXECUTE FUNCTION cic_transcript_terms_topics()",
    "CREATE TRIGGER call_topics_lexemes AFTER INSERT OR UPDATE OR DELETE ON call_topics"
    " FOR EACH ROW EXECUTE FUNCTION cic_call_topics_changed()",
]
DOWN = [
    "DROP TRIGGER IF EXISTS call_topics_lexemes ON call_topics",
    "DROP TRIGGER IF EXISTS transcript_terms_topics ON transcript_terms",
    "DROP INDEX IF EXISTS ix_transcript_terms_search_vector",
    "ALTER TABLE transcript_terms DROP COLUMN search_vector",
    "ALTER TABLE transcript_terms DROP COLUMN topic_lexemes",
    "ALTER TABLE transcript_terms ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', lemmas)) STORED",
    "ALTER TABLE transcript_terms ALTER COLUMN search_vector SET STORAGE EXTERNAL",
    "CREATE INDEX ix_transcript_terms_search_vector ON transcript_terms USING gin (search_vector)",
    "DROP FUNCTION IF EXISTS cic_transcript_terms_topics()",
    "DROP FUNCTION IF EXISTS cic_call_topics_changed()",
    "DROP FUNCTION IF EXISTS cic_refresh_topic_lexemes(text)",
    "DROP FUNCTION IF EXISTS cic_call_topic_lexemes(text)",
    "DROP FUNCTION IF EXISTS cic_topic_lexeme(text)",
]


def upgrade() -> None:
    """Add the topic lexemes, their triggers and the vector over both (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UP:
        op.execute(statement)


def downgrade() -> None:
    """Back to 0015's vector over the lemmas alone."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DOWN:
        op.execute(statement)
