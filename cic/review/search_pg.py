"""How a transcript search on PostgreSQL finds the newest matches it then ranks.

Two ways, chosen per query from the statistics ANALYZE keeps on ``search_vector`` (the
share of transcripts holding each of its most common lexemes):

- **walk**: the primary key backwards, testing each transcript's vector until the window is
  full. Cheap for common words: a word in one call of three fills a window of 100 after
  ~300 rows. Each row walked costs ~5 µs: the vector is read from TOAST (migration 0015
  keeps the rows narrow).
- **bitmap**: the GIN index finds every match, then the newest are kept. Each match costs
  ~0.4 µs (the narrow heap, 10 MB for 100,000 calls, stays cached), but decoding the index
  grows with the words' frequency: ~12 ms for a word in 30 % of 100,000 calls.

PostgreSQL's planner makes this choice itself, but it does not know that testing a row means
reading its vector from TOAST (so ``cic.review.search`` forbids it to read the whole
table), and it takes the words of a query as independent: "pobyt stały zameldowanie"
(together in 14 % of the benchmark's calls) was estimated at 3 % and took the bitmap where
the walk is several times faster. Here words asked for together are taken to be said
together more often than chance (see ``share``), and a walk is bounded: it looks at no more
than four times the rows it expects to need, and if that leaves the window short the bitmap
finds the rest.

With review filters the window is the newest matches whose calls the filters keep
(``newest_kept``): match ids are asked for newest first, each time older ones and as many as
the share kept so far suggests, and each batch is checked against the filters by key; only
the kept ones are ranked. A topic filter is also a lexeme of the query (each row's vector
holds its call's topics, migration 0016), so the index finds only that topic's calls: the
filters then keep nearly every match instead of a few in a hundred.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Float, Integer, String, Subquery, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from cic.review.search_terms import Term, tsquery

T = TypeVar("T")

# Measured on the benchmark (100,000 transcripts, ~165 words, window 100): a row walked costs
# ~5.3 µs (its vector read from TOAST); the bitmap costs ~0.35 µs a match plus decoding the
# index and ranking. The two meet near 7,000 matches: sqrt(100 x 100,000 x 6) ~ 7,700.
WALK_TO_VISIT = 6.0
WALK_BOUND = 4  # a walk looks at most at this many times the rows it expects to need
STATS_TTL = 600.0  # seconds; ANALYZE (autovacuum) refreshes the statistics far less often
AHEAD = 64  # with filters, the index (which finds every match) returns up to 64 windows' worth
GROWTH = 16  # and each further request for matches at most 16 times as many as probed

_STATS = text(
    "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples"
    " FROM pg_class AS c LEFT JOIN pg_stats AS s ON s.schemaname = current_schema()"
    " AND s.tablename = c.relname AND s.attname = 'search_vector'"
    " WHERE c.relname = 'transcript_terms' AND c.relnamespace = current_schema()::regnamespace"
)
_RANK = "-ts_rank(t.search_vector, to_tsquery('simple', :match))"
_RANKED_COLUMNS = f"t.id, t.call_id, {_RANK} AS rank"
# Matches below row ``:below`` (NULL: all), so that a search can ask for older ones later.
_BELOW = "COALESCE(CAST(:below AS integer), (SELECT max(id) + 1 FROM transcript_terms))"
# ``ts_match_vq(v, q)`` is ``v @@ q`` that the GIN index cannot serve: the plan is the walk.
_WALK = (
    "SELECT {columns} FROM transcript_terms AS t"  # noqa: S608 (constants)
    f" WHERE t.id < {_BELOW} AND t.id >= {_BELOW} - :span"
    " AND ts_match_vq(t.search_vector, to_tsquery('simple', :match))"
    " ORDER BY t.id DESC LIMIT :window"
)
# ``t.id + 0`` cannot be read from the primary key in order: the plan is the bitmap.
_BITMAP = (
    "SELECT {columns} FROM transcript_terms AS t"  # noqa: S608 (constants)
    f" WHERE t.search_vector @@ to_tsquery('simple', :match) AND t.id + 0 < {_BELOW}"
    " ORDER BY t.id + 0 DESC LIMIT :window"
)
# Ranked, only the newest (their vectors read again by primary key, not each match's).
_BITMAP_RANKED = (
    f"SELECT {_RANKED_COLUMNS} FROM ({_BITMAP.format(columns='t.id')}) AS newest"  # noqa: S608
    " JOIN transcript_terms AS t ON t.id = newest.id"
)
# Ranked as found (for a search without filters, whose best matches are the best calls), or
# only their ids (with filters, the calls they keep are ranked after the join: ``ranked``),
# as one array: hundreds of rows of one number each cost more to fetch than to find.
_IDS = "SELECT array_agg(n.id ORDER BY n.id DESC) AS ids FROM ({found}) AS n"
_TYPES = {"id": Integer, "call_id": String, "rank": Float}
_STATEMENTS: dict[tuple[str, bool], Executable] = {
    ("walk", True): text(_WALK.format(columns=_RANKED_COLUMNS)).columns(**_TYPES),
    ("walk", False): text(_IDS.format(found=_WALK.format(columns="t.id"))),
    ("bitmap", True): text(_BITMAP_RANKED).columns(**_TYPES),
    ("bitmap", False): text(_IDS.format(found=_BITMAP.format(columns="t.id"))),
}
_CHOSEN = (
    text("SELECT r.call_id, r.rank FROM unnest(:call_ids, :ranks) AS r(call_id, rank)")
    .bindparams(bindparam("call_ids", type_=ARRAY(String)), bindparam("ranks", type_=ARRAY(Float)))
    .columns(call_id=String, rank=Float)
)
# The window of a filtered search (its matches' ids), ranked as they are joined to the calls.
_RANKED = (
    text(
        f"SELECT t.call_id AS call_id, {_RANK} AS rank"  # noqa: S608 (constants)
        " FROM transcript_terms AS t WHERE t.id = ANY(:ids)"
    )
    .bindparams(bindparam("ids", type_=ARRAY(Integer)))
    .columns(call_id=String, rank=Float)
)


@dataclass(frozen=True)
class Match:
    """A ranked matching transcript: its row id, its call, its rank (lower is better)."""

    id: int
    call_id: str
    rank: float


def ranked(match: str, ids: Sequence[int]) -> Subquery:
    """A subquery ``ranked`` (call id, rank) over the search rows ``ids``."""
    return _RANKED.bindparams(match=match, ids=list(ids)).subquery("ranked")


def chosen(matches: Sequence[Match], best: int) -> Subquery:
    """Ranked ``matches`` as a subquery ``ranked`` (call id, rank) to join to the calls: only
    the ``best`` best and their ties."""
    ordered = sorted(matches, key=lambda match: match.rank)
    if len(ordered) > best:
        worst = ordered[best - 1].rank
        ordered = [match for match in ordered if match.rank <= worst]
    call_ids, ranks = [m.call_id for m in ordered], [m.rank for m in ordered]
    return _CHOSEN.bindparams(call_ids=call_ids, ranks=ranks).subquery("ranked")


@dataclass(frozen=True)
class LexemeStats:
    """The share of transcripts holding each common lexeme, and how many transcripts."""

    shares: Mapping[str, float]
    rows: float

    @property
    def floor(self) -> float:
        """The share assumed for a lexeme not listed (rarer than every listed one)."""
        return min(self.shares.values(), default=0.0)


def share(stats: LexemeStats, terms: Sequence[Term]) -> float:
    """The estimated share of transcripts matching all ``terms``.

    A term's share is that of its commonest form (a word's forms mostly come together).
    Words asked for together are said together more often than chance: neither independent
    (the product: "pobyt stały zameldowanie" 3 % against 14 % found) nor always together
    (the rarest: "podatku od nieruchomości" 3.9 % against 0.6 %). The estimate takes the
    rarest term's share times the fourth root of each other's: 13 % and 2.9 % for those.
    A lexeme the filters imply (a topic's) is taken as independent of the words: "ceidg"
    in calls about registering residence would otherwise be expected in 12 % of the calls
    and walked for, where the index finds its 1.4 % at once."""
    implied = math.prod(share(stats, [replace(t, implied=False)]) for t in terms if t.implied)
    shares = []
    for term in (t for t in terms if not t.implied):
        if term.prefix:
            prefix = term.forms[0]
            listed = sum(s for lexeme, s in stats.shares.items() if lexeme.startswith(prefix))
            shares.append(min(1.0, listed or stats.floor))
        else:
            shares.append(max(stats.shares.get(form, stats.floor) for form in term.forms))
    if not shares:
        return 0.0
    rarest, *others = sorted(shares)
    return implied * rarest * math.prod(math.pow(s, 0.25) for s in others)


def walk_span(stats: LexemeStats, terms: Sequence[Term], window: int) -> int | None:
    """How many of the newest rows to walk for ``window`` matches, or None for the bitmap."""
    matches = share(stats, terms) * stats.rows
    if matches <= 0 or matches < math.sqrt(window * stats.rows * WALK_TO_VISIT):
        return None
    return math.ceil(WALK_BOUND * window * stats.rows / matches)


class PostgresWindow:
    """The newest matching transcripts of a query, walked or from the GIN index."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Statistics are read on first use and again after ``STATS_TTL`` seconds."""
        self._clock = clock
        self._stats: LexemeStats | None = None
        self._read_at = -math.inf

    def stats(self, session: Session) -> LexemeStats:
        """The column's lexeme statistics (none before the first ANALYZE: the bitmap then)."""
        if self._stats is None or self._clock() - self._read_at > STATS_TTL:
            lexemes, freqs, rows = session.execute(_STATS).one_or_none() or (None, None, 0)
            pairs = zip(lexemes or (), freqs or (), strict=False)  # freqs ends with min, max
            self._stats = LexemeStats(dict(pairs), max(float(rows or 0), 0.0))
            self._read_at = self._clock()
        return self._stats

    def _newest(self, session: Session, terms: Sequence[Term], window: int, ahead: int,
                fetch: Callable[[str, dict[str, Any]], list[T]]
                ) -> tuple[list[T], bool]:  # fmt: skip
        """Walked (``fetch("walk", …)``) or from the index (``"bitmap"``) as ``walk_span``
        says: the matches, and whether they are every match."""
        span = walk_span(self.stats(session), terms, window)
        if span is not None:
            found = fetch("walk", {"span": span, "window": window})
            if len(found) == window:
                return found, False
        limit = max(window, ahead)
        found = fetch("bitmap", {"window": limit})
        return found, len(found) < limit

    def newest(self, session: Session, terms: Sequence[Term], match: str, window: int
               ) -> tuple[list[Match], bool]:  # fmt: skip
        """The newest ``window`` matches, newest first, ranked, and whether those are every
        match there is."""

        def fetch(way: str, params: dict[str, Any]) -> list[Match]:
            params = {**params, "match": match, "below": None}
            return [Match(*row) for row in session.execute(_STATEMENTS[way, True], params)]

        return self._newest(session, terms, window, 0, fetch)

    def newest_ids(self, session: Session, terms: Sequence[Term], match: str, window: int,
                   ahead: int = 0, below: int | None = None) -> tuple[list[int], bool]:  # fmt: skip
        """The ids of the newest ``window`` matches older than row ``below`` (if given),
        newest first, and whether those are every such match. The index, which finds every
        match anyway, returns up to ``ahead`` of them if more, for a caller that may need
        more."""

        def fetch(way: str, params: dict[str, Any]) -> list[int]:
            params = {**params, "match": match, "below": below}
            return list(session.scalar(_STATEMENTS[way, False], params) or ())

        return self._newest(session, terms, window, ahead, fetch)


def next_size(window: int, kept: int, probed: int) -> int:
    """How many of the newest matches to have probed next, for ``window`` kept ones: as many
    as the share kept so far suggests and a quarter more, at least a window more and at most
    ``GROWTH`` times as many as so far."""
    wanted = probed + 1.25 * (window - kept) * probed / max(kept, 1)
    return math.ceil(min(probed * GROWTH, max(probed + window, wanted)))


def newest_kept(finder: PostgresWindow, session: Session, terms: Sequence[Term], match: str,
                window: int, keep: Callable[[list[int]], set[int]]) -> list[int]:  # fmt: skip
    """The ids of the newest ``window`` matches (fewer if there are no more) that ``keep``
    keeps (the review filters), newest first. Matches are asked for in growing numbers
    (``next_size``), each time only older than those in hand, and each is shown to ``keep``
    once."""
    found: list[int] = []
    kept: list[int] = []
    probed, size, every = 0, window, False
    while True:
        if len(found) < size and not every:
            below = found[-1] if found else None
            more, every = finder.newest_ids(
                session, terms, match, size - len(found), window * AHEAD, below
            )
            found += more
        fresh = found[probed:size]
        passing = keep(fresh) if fresh else set()
        kept += [row for row in fresh if row in passing]
        probed += len(fresh)
        if len(kept) >= window or (every and probed >= len(found)):
            return kept[:window]
        size = next_size(window, len(kept), probed)


def newest_ranked(finder: PostgresWindow, session: Session, terms: Sequence[Term], window: int,
                  best: int, keep: Callable[[list[int]], set[int]] | None,
                  narrow: Sequence[Term] = ()) -> Subquery:  # fmt: skip
    """The ``window`` newest matches (of the calls ``keep`` keeps, if given), ranked, as a
    subquery ``ranked`` (call id, rank). Without filters the matches come ranked and only
    the ``best`` best (and ties) are joined to the calls; with filters only their ids, ranked
    by the subquery. ``narrow``: lexemes the filters imply (a topic's, migration 0016), also
    required when finding matches but left out of the rank."""
    match = tsquery(terms)
    if keep is None:
        found, _every = finder.newest(session, terms, match, window)
        return chosen(found, best)
    wanted = [*terms, *narrow]
    kept = newest_kept(finder, session, wanted, tsquery(wanted), window, keep)
    return ranked(match, kept)
