"""Polish text for the search index: tokens, diacritic folding, lemmas (simplemma), stopwords."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY

WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a aby ale albo ani az bo by byc co czy dla do gdy gdzie i ich ile im jak jaki jakie
    jako je jego jej jest juz ktory mi mnie moj na nad nie niz o od oraz po pod przez przy
    sie ta tak te ten to tu u w we wiec z za ze zeby kiedy czego mam moge mozna prosze
    chce chcialbym chcialabym jestem mój być""".split()
)
# simplemma's low-memory dictionary reads the compressed stream in place: about 50 MB in the
# controller instead of about 350 MB for the same lemmas (checked equal on every word of the
# knowledge base and the test data), at some 40 µs per uncached word instead of 5.
_LEMMATIZER = Lemmatizer(
    lemmatization_strategy=DefaultStrategy(dictionary_factory=LOW_MEMORY_DICTIONARY_FACTORY)
)
_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)[\s#]*$", re.MULTILINE), r"\1:"),
    (re.compile(r"^\s{0,3}(>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),
    (re.compile(r"[*_`|]+"), " "),
    (re.compile(r"^\s*-{3,}\s*$", re.MULTILINE), " "),
    (re.compile(r"[ \t]+"), " "),
]


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


def plain(markdown: str) -> str:
    """Markdown reduced to readable plain text (for indexing and snippets)."""
    for pattern, replacement in _MARKDOWN:
        markdown = pattern.sub(replacement, markdown)
    return "\n".join(line.strip() for line in markdown.splitlines() if line.strip())


def warm_up() -> None:
    """Load simplemma's Polish dictionary now (a few seconds) rather than on the first search."""
    lemma("podatku")
