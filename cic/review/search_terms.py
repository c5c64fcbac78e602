"""The words of a transcript search: parsed from what the user typed, then written in the
query language of each engine (FTS5 on SQLite, ``to_tsquery`` on PostgreSQL) with every
index word quoted, so nothing the user typed is read as an operator."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cic.kb.text import fold, is_stopword, lemma, words
from cic.review.errors import InvalidInput

MAX_QUERY = 200
MIN_PREFIX = 3


@dataclass(frozen=True)
class Term:
    """One query word: the index words it matches, or a prefix of them. ``implied``: not a
    word but a lexeme the review filters imply (a topic's), unrelated to what is said."""

    forms: tuple[str, ...]
    prefix: bool = False
    implied: bool = False


def topic_lexeme(topic_id: str) -> str:
    """The lexeme that stands for a topic in a search row's vector on PostgreSQL (migration
    0016's ``cic_topic_lexeme``): "temat" and 16 hex digits of the id's MD5 (any topic id,
    even an agent's free-text wrap-up, becomes one word, and no Polish one)."""
    digest = hashlib.md5(topic_id.encode("utf-8"), usedforsecurity=False).hexdigest()
    return "temat" + digest[:16]


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
