"""Full-text search over redacted call transcripts, in Polish, on SQLite and PostgreSQL.

A transcript is indexed as its words' folded lemmas (``cic.kb.text``), each followed by the
word's folded form when that differs, in ``transcript_terms.lemmas``: "podatku od
nieruchomości" becomes ``podatek podatku nieruchomosc nieruchomosci``. A query word matches
its own lemma or folded form, so inflections and missing diacritics meet; every word must
match (AND); ``word*`` matches by prefix. Stopwords are neither indexed nor searched.

Migration 0014 keeps the engine-specific index beside the table: an external-content FTS5
table kept in step by triggers on SQLite (ranked by bm25), a stored ``tsvector`` column
(``'simple'`` configuration) with a GIN index on PostgreSQL (ranked by ts_rank; how the
matches are found there is ``cic.review.search_pg``), whose vector also holds a lexeme
per topic of the call since migration 0016. Ties go to the newest call.
Ranking costs time per match, so a query is ranked among its ``RANK_WINDOW`` most recently
indexed matches whose calls the review filters keep; hits come a page at a time (``PAGE``),
through that window only, so a supervisor wanting older calls narrows the dates. User words
never reach either query language unquoted: they are reduced to ``\\w+`` tokens and each one
is quoted (``cic.review.search_terms``).

A hit shows its best segment: the line of ``CallTranscript.text`` (one per segment) with the
most query words, highlighted; its speaker and the first match's start come from
``TranscriptTerms.starts``, so the segments' JSON is never read by a search.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    Subquery,
    any_,
    bindparam,
    column,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.kb.search import Part, parts_html
from cic.kb.text import WORD, fold, is_stopword, lemma, words
from cic.recordings.models import CallTranscript, TranscriptTerms
from cic.review.answers import SearchCall, SearchHit, TopicRef
from cic.review.errors import InvalidInput
from cic.review.review import Filters, Review, effective_topics
from cic.review.search_pg import PostgresWindow, newest_ranked
from cic.review.search_terms import Term, fts5_query, parse_query, topic_lexeme, tsquery

__all__ = ["TranscriptSearch", "fts5_query", "index_text", "parse_query", "tsquery"]
PAGE = 20  # hits per page unless asked otherwise
MAX_PAGE = 50
MAX_OFFSET = 1000
SNIPPET_WORDS = 24
RANK_WINDOW = 100  # a query is ranked among its newest matches that the filters keep
FTS_TABLE = "transcript_terms_fts"
_NEWLINE = re.compile("\n")
# For this transaction: plan every search for its own words (psycopg prepares a statement
# run five times, and PostgreSQL's generic plan cannot see how common they are); never read
# the whole table (its vectors sit in TOAST: testing each would take ~0.5 s); join by nested
# loops (a few hundred matches meet their calls by unique key; a hash join read every call
# of the filtered month instead, 6 ms against 1); no parallel workers (starting them costs
# more than such a search, and a parallel plan read the whole table to rank 800 matches of a
# topic-filtered search: 12 ms against 4).
_POSTGRES_PLANNING = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
    " set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),"
    " set_config('enable_mergejoin', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true)"
)
PG_COLUMN = "search_vector"
PG_TOPICS = "topic_lexemes"  # the call's topics as lexemes, kept by triggers (migration 0016)
PG_INDEX = "ix_transcript_terms_search_vector"
# The newest matches on SQLite: the FTS5 table read backwards by rowid (the search row's id).
_FTS = table(FTS_TABLE, column("rowid", Integer))
_MATCH = text(f"{FTS_TABLE} MATCH :match")
_BM25 = literal_column(f"bm25({FTS_TABLE})", Float)


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


def index_transcript(
    session: Session, call_id: str, transcript: str, segments: Sequence[Mapping[str, Any]]
) -> None:
    """Write (or replace) the call's search row in the caller's transaction."""
    row = session.scalars(select(TranscriptTerms).where(TranscriptTerms.call_id == call_id)).first()
    if row is None:
        row = TranscriptTerms(call_id=call_id)
        session.add(row)
    row.lemmas = index_text(transcript)
    row.starts = index_starts(segments)


class Matcher:
    """Which query terms the words of some texts match.

    The distinct words of the texts are lemmatised once, up front; the words that match
    become one regular expression, so finding them in a line costs no more lemmatising.
    """

    def __init__(self, terms: Sequence[Term], texts: Iterable[str]) -> None:
        """Index the terms' forms (exact) and prefixes, then learn the words of ``texts``."""
        self.exact: dict[str, set[int]] = {}
        self.prefixes: list[tuple[str, int]] = []
        for i, term in enumerate(terms):
            if term.prefix:
                self.prefixes.append((term.forms[0], i))
            for form in () if term.prefix else term.forms:
                self.exact.setdefault(form, set()).add(i)
        self.hits: dict[str, frozenset[int]] = {}
        exact, prefixes = self.exact, self.prefixes
        # Only words sharing a first letter with a term are lemmatised: that spares most of
        # the time and misses only suppletive forms (ludzie/człowiek), left unhighlighted.
        initials = {form[:1] for term in terms for form in term.forms}
        for word in set(WORD.findall("\n".join(texts))):
            form = fold(word)
            if form[:1] not in initials:
                continue
            own = lemma(word)
            if form in exact or own in exact or prefixes:
                found = self._terms_of(form, own)
                if found:
                    self.hits[word] = found
        alternatives = "|".join(map(re.escape, sorted(self.hits, key=len, reverse=True)))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if self.hits else None

    def _terms_of(self, form: str, own: str) -> frozenset[int]:
        hit = self.exact.get(form, set()) | self.exact.get(own, set())
        hit |= {i for p, i in self.prefixes if form.startswith(p) or own.startswith(p)}
        return frozenset(hit)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the matching words of ``text`` are (start, end), in order."""
        return [] if self._pattern is None else [m.span() for m in self._pattern.finditer(text)]


def check_offset(offset: int) -> None:
    """``InvalidInput`` (Polish) for a page beyond the first ``MAX_OFFSET`` hits."""
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"Można przejrzeć najwyżej {MAX_OFFSET} pierwszych wyników.")


@dataclass(frozen=True)
class Found:
    """The best line of a transcript: its index (segment), text and matches in it."""

    index: int
    line: str
    marks: list[tuple[int, int]]


def best_line(text: str, matcher: Matcher) -> Found | None:
    """The line of ``text`` (one per segment, as ``save_result`` stores it) that matches the
    most distinct terms, the earliest of equals; None if none matches."""
    marks = matcher.spans(text)
    if not marks:
        return None
    breaks = [m.start() for m in _NEWLINE.finditer(text)]
    per_line: dict[int, set[int]] = {}
    for start, stop in marks:
        per_line.setdefault(bisect.bisect_left(breaks, start), set()).update(
            matcher.hits[text[start:stop]]
        )
    index = min(per_line, key=lambda line: (-len(per_line[line]), line))
    begin = breaks[index - 1] + 1 if index else 0
    end = breaks[index] if index < len(breaks) else len(text)
    inside = [(start - begin, stop - begin) for start, stop in marks if begin <= start < end]
    return Found(index, text[begin:end], inside)


def speaker_and_start(starts: str, found: Found) -> tuple[str, float | None]:
    """The speaker of the found segment and the start (seconds) of its first matching word,
    from ``TranscriptTerms.starts``; no time if the two disagree on the segment's words."""
    rows = starts.split("\n")
    fields = rows[found.index].split(" ") if found.index < len(rows) else []
    if not fields:
        return "", None
    if len(fields) - 1 != found.line.count(" ") + 1:
        return fields[0], None
    start = fields[1 + found.line.count(" ", 0, found.marks[0][0])]
    return fields[0], int(start) / 100 if start.lstrip("-").isdigit() else None


def window(line: str, marks: Sequence[tuple[int, int]], size: int = SNIPPET_WORDS) -> list[Part]:
    """``size`` words of ``line`` from just before its first match (``marks``: where the
    matches are), the matches marked."""
    starts = [m.start() for m in WORD.finditer(line)]
    if not starts:
        return [Part(line, False)] if line else []
    first = bisect.bisect_right(starts, marks[0][0]) - 1 if marks else 0
    low = max(0, first - 3)
    high = min(len(starts), low + size)
    begin = 0 if low == 0 else starts[low]
    end = len(line) if high == len(starts) else starts[high]
    parts = [Part("… ", False)] if begin else []
    position = begin
    for start, stop in marks:
        if start < begin or stop > end:
            continue
        if start > position:
            parts.append(Part(line[position:start], False))
        parts.append(Part(line[start:stop], True))
        position = stop
    if end > position:
        parts.append(Part(line[position:end].rstrip() if end < len(line) else line[position:end],
                          False))  # fmt: skip
    if end < len(line):
        parts.append(Part(" …", False))
    return parts


def _keeper(session: Session, filters: ColumnElement[bool]) -> Callable[[list[int]], set[int]]:
    """Which of some search rows' ids are of calls that ``filters`` keep (PostgreSQL)."""
    stmt = (
        select(TranscriptTerms.id)
        .join(Call, Call.call_id == TranscriptTerms.call_id)
        .where(filters, TranscriptTerms.id == any_(bindparam("ids", type_=ARRAY(Integer))))
    )
    return lambda ids: set(session.scalars(stmt, {"ids": ids}))


class TranscriptSearch:
    """Ranked full-text search over the redacted transcripts, combined with review filters."""

    def __init__(self, review: Review | None = None) -> None:
        """``review`` applies the review page's filters and names topics (optional)."""
        self.review = review
        self.postgres = PostgresWindow()

    def _calls(self, filters: Filters | None) -> Select[Call]:
        if self.review is not None and filters is not None:
            return self.review.select_calls(filters)
        return select(Call)

    def _ranked(self, session: Session, terms: Sequence[Term], filters: Filters | None,
                wanted: int, offset: int) -> list[tuple[Call, float]]:  # fmt: skip
        """The calls ranked ``offset`` to ``offset + wanted`` and their rank (lower is better).

        Ranking a match costs time, so only the ``RANK_WINDOW`` most recently indexed matches
        whose calls the filters keep are ranked. The window depends on the query and filters
        only, never on the page, so pages follow each other without gaps or repeats."""
        calls = self._calls(filters)
        topic = filters.topic if filters is not None and self.review is not None else ""
        window = self._window(session, terms, calls, offset + wanted, topic)
        stmt = (
            select(Call, window.c.rank)
            .join(window, window.c.call_id == Call.call_id)
            .order_by(window.c.rank, Call.entered_at.desc(), Call.id.desc())
            .offset(offset)
            .limit(wanted)
        )
        return [(call, float(rank)) for call, rank in session.execute(stmt)]

    def _window(self, session: Session, terms: Sequence[Term], calls: Select[Call], best: int,
                topic: str) -> Subquery:  # fmt: skip
        """The window as a subquery ``ranked`` (call id, rank); ``best``: how many can make
        the page; ``topic``: the topic the filters ask for, if any (PostgreSQL finds only the
        matches of its calls, by the topic's lexeme)."""
        filters = calls.whereclause
        if session.get_bind().dialect.name != "postgresql":
            found = (
                select(TranscriptTerms.call_id, _BM25.label("rank"))
                .select_from(_FTS)
                .join(TranscriptTerms, TranscriptTerms.id == _FTS.c.rowid)
                .where(_MATCH.bindparams(match=fts5_query(terms)))
            )
            if filters is not None:
                found = found.join(Call, Call.call_id == TranscriptTerms.call_id).where(filters)
            return found.order_by(_FTS.c.rowid.desc()).limit(RANK_WINDOW).subquery("ranked")
        session.execute(_POSTGRES_PLANNING)
        keep = None if filters is None else _keeper(session, filters)
        narrow = [Term((topic_lexeme(topic),), implied=True)] if topic else []
        return newest_ranked(self.postgres, session, terms, RANK_WINDOW, best, keep, narrow)

    def search(
        self,
        session: Session,
        query: str,
        filters: Filters | None = None,
        limit: int = PAGE,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Calls whose transcript has every query word, best first (newest on ties), from
        ``offset`` on, at most ``limit`` (up to one more than ``MAX_PAGE``, for a caller to
        tell whether another page follows), each with its best segment's
        snippet (``snippet`` HTML-escaped with ``<mark>``, and as ``snippet_parts``),
        ``speaker`` and ``start`` (seconds) of its first matching word."""
        terms = parse_query(query)
        check_offset(offset)
        rows = self._ranked(session, terms, filters, max(1, min(limit, MAX_PAGE + 1)), offset)
        ids = [call.call_id for call, _rank in rows]
        topics = effective_topics(session, ids)
        stmt = (
            select(CallTranscript.call_id, CallTranscript.text, TranscriptTerms.starts)
            .join(TranscriptTerms, TranscriptTerms.call_id == CallTranscript.call_id)
            .where(CallTranscript.call_id.in_([call.call_id for call, _rank in rows]))
        )
        texts = {cid: (text or "", starts or "") for cid, text, starts in session.execute(stmt)}
        matcher = Matcher(terms, (text for text, _ in texts.values()))
        names = self.review.names if self.review is not None else {}
        return [self._hit(call, rank, texts.get(call.call_id, ("", "")), matcher, names,
                          topics[call.call_id]["topics"]) for call, rank in rows]  # fmt: skip

    @staticmethod
    def _hit(call: Call, rank: float, text_and_starts: tuple[str, str], matcher: Matcher,
             names: Mapping[str, str], topics: Sequence[str]) -> SearchHit:  # fmt: skip
        topic_refs: list[TopicRef] = [{"id": t, "name": names.get(t, t)} for t in topics]
        summary: SearchCall = {**call.summary(), "topics": topic_refs}
        text, starts = text_and_starts
        found = best_line(text, matcher)
        speaker, start = "", None
        if found is None:
            flat = text.replace("\n", " ")
            parts = window(flat, matcher.spans(flat))
        else:
            speaker, start = speaker_and_start(starts, found)
            parts = window(found.line, found.marks)
        return {
            "call_id": call.call_id,
            "entered_at": summary["entered_at"],
            "score": round(-rank, 4),
            "speaker": speaker,
            "start": start,
            "snippet": parts_html(parts),
            "snippet_parts": [{"text": p.text, "mark": p.mark} for p in parts],
            "call": summary,
        }
