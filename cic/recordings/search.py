"""Full-text search over redacted call transcripts, in Polish, on SQLite and PostgreSQL.

A transcript is indexed as its words' folded lemmas (``cic.kb.text``), each followed by the
word's folded form when that differs, in ``transcript_terms.lemmas``: "podatku od
nieruchomości" becomes ``podatek podatku nieruchomosc nieruchomosci``. A query word matches
its own lemma or folded form, so inflections and missing diacritics meet; every word must
match (AND); ``word*`` matches by prefix. Stopwords are neither indexed nor searched.

Migration 0014 keeps the engine-specific index beside the table: an external-content FTS5
table kept in step by triggers on SQLite (ranked by bm25), a stored ``tsvector`` column
(``'simple'`` configuration) with a GIN index on PostgreSQL (ranked by ts_rank). Ties go to
the newest call. Ranking costs time per match, so a broad query (a word in most calls) is
ranked among its ``RANK_WINDOW`` most recently indexed matches, widened when the review
filters leave too few. User words never reach either query language unquoted: they are
reduced to ``\\w+`` tokens and each one is quoted.

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

from sqlalchemy import Float, Integer, Select, select, text
from sqlalchemy.orm import Session

from cic.calls.models import Call
from cic.kb.search import Part, parts_html
from cic.kb.text import WORD, fold, is_stopword, lemma, words
from cic.recordings.errors import InvalidInput
from cic.recordings.models import CallTranscript, TranscriptTerms
from cic.recordings.review import Filters, Review, effective_topics

MAX_QUERY = 200
MIN_PREFIX = 3
LIMIT = 50
SNIPPET_WORDS = 24
RANK_WINDOW = 1000  # a broad query is ranked among its most recently indexed matches
FTS_TABLE = "transcript_terms_fts"
PG_COLUMN = "search_vector"
PG_INDEX = "ix_transcript_terms_search_vector"
# Made by migration 0014 for one engine only, so no model describes them: Alembic's
# autogenerate must not propose dropping them (see ``include_name``).
UNMODELLED = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config")),
     PG_COLUMN, PG_INDEX}
)  # fmt: skip
_SQLITE_NEWEST = text(
    f"SELECT min(id), count(*) FROM (SELECT rowid AS id FROM {FTS_TABLE}"  # noqa: S608
    f" WHERE {FTS_TABLE} MATCH :match ORDER BY rowid DESC LIMIT :window)"
)
_SQLITE_RANKED = text(
    f"SELECT rowid AS id, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE}"  # noqa: S608 (constants)
    f" WHERE {FTS_TABLE} MATCH :match AND rowid >= :floor"
).columns(id=Integer, rank=Float)
_POSTGRES_NEWEST = text(
    f"SELECT min(id), count(*) FROM (SELECT t.id FROM transcript_terms AS t"  # noqa: S608
    f" WHERE t.{PG_COLUMN} @@ to_tsquery('simple', :match) ORDER BY t.id DESC LIMIT :window) AS n"
)
_POSTGRES_RANKED = text(
    f"SELECT t.id AS id, -ts_rank(t.{PG_COLUMN}, q) AS rank"  # noqa: S608 (constants)
    f" FROM transcript_terms AS t, to_tsquery('simple', :match) AS q"
    f" WHERE t.{PG_COLUMN} @@ q AND t.id >= :floor"
).columns(id=Integer, rank=Float)


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic ``include_name`` hook: False for the search objects no model describes."""
    return name not in UNMODELLED


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


@dataclass(frozen=True)
class Term:
    """One query word: the index words it matches, or a prefix of them."""

    forms: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """Query words as terms; ``InvalidInput`` (Polish) for a query that cannot be searched."""
    query = query.strip()
    if not query:
        raise InvalidInput("Wpisz słowa do wyszukania w transkrypcjach.")
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"Zapytanie: najwyżej {MAX_QUERY} znaków.")
    found = [(m.group(), query[m.end() : m.end() + 1] == "*") for m in words(query)]
    if not found:
        raise InvalidInput("Zapytanie nie zawiera żadnego słowa (same znaki przestankowe).")
    meaningful = [(w, star) for w, star in found if star or not is_stopword(w)]
    if not meaningful:
        raise InvalidInput("Zapytanie zawiera tylko słowa pomijane w wyszukiwaniu (np. „i”, „od”).")
    terms: list[Term] = []
    for word, star in meaningful:
        if star:
            if len(fold(word)) < MIN_PREFIX:
                raise InvalidInput(f"Przed „*” podaj co najmniej {MIN_PREFIX} litery.")
            term = Term((fold(word),), prefix=True)
        else:
            term = Term(tuple(dict.fromkeys((lemma(word), fold(word)))))
        if term not in terms:
            terms.append(term)
    return terms


def _fts5_string(form: str) -> str:
    return '"' + form.replace('"', '""') + '"'


def _tsquery_lexeme(form: str) -> str:
    return "'" + form.replace("\\", "\\\\").replace("'", "''") + "'"


def _all_of(terms: Sequence[Term], quote: Callable[[str], str], prefix: str, any_of: str,
            all_of: str) -> str:  # fmt: skip
    parts = []
    for term in terms:
        if term.prefix:
            parts.append(quote(term.forms[0]) + prefix)
        else:
            parts.append("(" + any_of.join(quote(f) for f in term.forms) + ")")
    return all_of.join(parts)


def fts5_query(terms: Sequence[Term]) -> str:
    """An FTS5 MATCH expression: every term required, each index word double-quoted."""
    return _all_of(terms, _fts5_string, "*", " OR ", " AND ")


def tsquery(terms: Sequence[Term]) -> str:
    """A ``to_tsquery`` expression: every term required, each lexeme single-quoted."""
    return _all_of(terms, _tsquery_lexeme, ":*", " | ", " & ")


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

    def found_in(self, text: str) -> list[str]:
        """The matching words of ``text``, in order (only words of the learned texts)."""
        return [] if self._pattern is None else self._pattern.findall(text)

    def terms_in(self, text: str) -> set[int]:
        """The indexes of the terms matched anywhere in ``text``."""
        return {i for word in self.found_in(text) for i in self.hits[word]}

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the matching words of ``text`` are (start, end), in order."""
        return [] if self._pattern is None else [m.span() for m in self._pattern.finditer(text)]


def best_line(text: str, matcher: Matcher) -> tuple[int, str] | None:
    """The line of ``text`` (one per segment, as ``save_result`` stores it) that matches the
    most distinct terms, the earliest of equals, with its index; None if none matches."""
    per_line: dict[int, set[int]] = {}
    for start, stop in matcher.spans(text):
        line = text.count("\n", 0, start)
        per_line.setdefault(line, set()).update(matcher.hits[text[start:stop]])
    if not per_line:
        return None
    index = min(per_line, key=lambda line: (-len(per_line[line]), line))
    return index, text.split("\n")[index]


def speaker_and_start(
    starts: str, index: int, line: str, matcher: Matcher
) -> tuple[str, float | None]:
    """The speaker of segment ``index`` and the start (seconds) of the first word of ``line``
    (its text) that matches, from ``TranscriptTerms.starts``; no time if they disagree."""
    rows = starts.split("\n")
    fields = rows[index].split(" ") if index < len(rows) else []
    if not fields:
        return "", None
    pieces = line.split(" ")
    if len(fields) - 1 != len(pieces):
        return fields[0], None
    for piece, start in zip(pieces, fields[1:], strict=True):
        if matcher.terms_in(piece):
            return fields[0], int(start) / 100 if start.lstrip("-").isdigit() else None
    return fields[0], None


def window(line: str, matcher: Matcher, size: int = SNIPPET_WORDS) -> list[Part]:
    """``size`` words of ``line`` from just before its first match, matches marked."""
    starts = [m.start() for m in WORD.finditer(line)]
    marks = matcher.spans(line)
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


class TranscriptSearch:
    """Ranked full-text search over the redacted transcripts, combined with review filters."""

    def __init__(self, review: Review | None = None) -> None:
        """``review`` applies the review page's filters and names topics (optional)."""
        self.review = review

    def _calls(self, filters: Filters | None) -> Select[Call]:
        if self.review is not None and filters is not None:
            return self.review.select_calls(filters)
        return select(Call)

    def _ranked(self, session: Session, terms: Sequence[Term], filters: Filters | None,
                limit: int) -> list[tuple[Call, float]]:  # fmt: skip
        """The best calls and their rank (lower is better).

        Ranking a match costs time, so only the ``RANK_WINDOW`` most recently indexed matches
        are ranked; the window widens (x8, then all) while the filters leave too few hits."""
        if session.get_bind().dialect.name == "postgresql":
            # psycopg prepares a statement run five times; PostgreSQL's generic plan for it
            # cannot see how common the words are (a query matching 95% of the calls then
            # took 250 ms instead of 40). Plan every search for its own words.
            session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            newest, ranked, match = _POSTGRES_NEWEST, _POSTGRES_RANKED, tsquery(terms)
        else:
            newest, ranked, match = _SQLITE_NEWEST, _SQLITE_RANKED, fts5_query(terms)
        limit = min(limit, LIMIT)
        rows: list[tuple[Call, float]] = []
        for window in (RANK_WINDOW, RANK_WINDOW * 8, None):
            floor, every = 0, True
            if window is not None:
                floor, count = session.execute(newest, {"match": match, "window": window}).one()
                if floor is None:
                    return []  # nothing matches at all
                every = count < window  # the window holds every match: no use widening it
            scored = ranked.bindparams(match=match, floor=floor).subquery("ranked")
            stmt = (
                self._calls(filters)
                .join(TranscriptTerms, TranscriptTerms.call_id == Call.call_id)
                .join(scored, scored.c.id == TranscriptTerms.id)
                .add_columns(scored.c.rank)
                .order_by(scored.c.rank, Call.entered_at.desc(), Call.id.desc())
                .limit(limit)
            )
            rows = [(call, float(rank)) for call, rank in session.execute(stmt).all()]
            if len(rows) >= limit or every:
                break
        return rows

    def search(
        self,
        session: Session,
        query: str,
        filters: Filters | None = None,
        limit: int = LIMIT,
    ) -> list[dict[str, Any]]:
        """Calls whose transcript has every query word, best first (newest on ties), each with
        its best segment's snippet (``snippet`` HTML-escaped with ``<mark>``, and as
        ``snippet_parts``), ``speaker`` and ``start`` (seconds) of its first matching word."""
        terms = parse_query(query)
        rows = self._ranked(session, terms, filters, limit)
        ids = [call.call_id for call, _rank in rows]
        topics = effective_topics(session, ids)
        wanted = filters.topic if filters is not None else ""
        if wanted:  # tagged once, but the supervisor's correction may say otherwise
            tagged = {c for c, t in topics.items() if wanted in t["topics"] + t["wrapup"]}
            rows = [(call, rank) for call, rank in rows if call.call_id in tagged]
        stmt = (
            select(CallTranscript.call_id, CallTranscript.text, TranscriptTerms.starts)
            .join(TranscriptTerms, TranscriptTerms.call_id == CallTranscript.call_id)
            .where(CallTranscript.call_id.in_([call.call_id for call, _rank in rows]))
        )
        texts = {cid: (text or "", starts or "") for cid, text, starts in session.execute(stmt)}
        matcher = Matcher(terms, (text for text, _ in texts.values()))
        names = self.review.names if self.review is not None else {}
        out = []
        for call, rank in rows:
            summary = call.summary()
            summary["topics"] = [{"id": t, "name": names.get(t, t)}
                                 for t in topics[call.call_id]["topics"]]  # fmt: skip
            text, starts = texts.get(call.call_id, ("", ""))
            found = best_line(text, matcher)
            speaker, start = "", None
            if found is not None:
                speaker, start = speaker_and_start(starts, found[0], found[1], matcher)
            parts = window(text.replace("\n", " ") if found is None else found[1], matcher)
            out.append({
                "call_id": call.call_id,
                "entered_at": summary["entered_at"],
                "score": round(-rank, 4),
                "speaker": speaker,
                "start": start,
                "snippet": parts_html(parts),
                "snippet_parts": [{"text": p.text, "mark": p.mark} for p in parts],
                "call": summary,
            })  # fmt: skip
        return out
