"""Phrase rules compiled to lemma patterns, and matching them against a lemmatised text.

A phrase matches when its words occur in order, each at most ``max_gap`` words after the
previous one ("podatek od nieruchomości" also matches "podatku od mojej nieruchomości").
Function words ("od", "za", "na", ...) are dropped from phrases - the gap covers them - so
"podatek od garażu" also matches "podatek za garaż". A word ending in ``*`` is a prefix.

A phrase word and a text word meet when the phrase word's likeliest lemma is any lemma the
text word may have (the lemmatiser gives every reading: "drogi" is an adjective and a form of
"droga"), or when their folded spellings are equal. Phrase words keep one reading: all of them
would let "mieszkanie gminne" match "mieszkam przy drodze gminnej" through "mieszkać".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cic.speech.text import fold
from cic.topics.lemmas import Lemmatizer, words
from cic.topics.taxonomy import Phrase

FUNCTION_WORDS = frozenset(
    "od do za o w we z ze na po przy dla i oraz a się sie ten ta to jest być byc u".split()
)
Keys = tuple[str, ...]  # the folded lemmas and the folded surface form of one text word


@dataclass(frozen=True, slots=True)
class WordPattern:
    """One phrase word: the keys it is found by (its folded lemmas and folded spelling; any
    may equal one of a text word's keys), or, for a prefix, the folded prefix a text word's
    key must start with."""

    key: str
    prefix: bool
    readings: frozenset[str] = frozenset()

    def matches(self, keys: Keys) -> bool:
        """Whether a text word with these keys matches."""
        if self.prefix:
            return any(key.startswith(self.key) for key in keys)
        return any(key in self.readings for key in keys)

    def vocabulary(self) -> frozenset[str]:
        """The keys this word is found by (for matching misrecognised words)."""
        return frozenset() if self.prefix else self.readings


class TextIndex:
    """Where each key occurs in a text: phrases are looked up, not scanned for."""

    def __init__(self, text_keys: Sequence[Keys]) -> None:
        self.positions: dict[str, list[int]] = defaultdict(list)
        for position, keys in enumerate(text_keys):
            for key in set(keys):
                self.positions[key].append(position)

    def where(self, pattern: WordPattern) -> set[int]:
        """The positions of the text words the pattern matches."""
        if pattern.prefix:
            return {
                position
                for key, positions in self.positions.items()
                if key.startswith(pattern.key)
                for position in positions
            }
        found: set[int] = set()
        for key in pattern.readings:
            found.update(self.positions.get(key, ()))
        return found


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    """A phrase rule ready for matching."""

    text: str
    weight: float
    pattern: tuple[WordPattern, ...]

    def found_in(self, index: TextIndex, max_gap: int) -> bool:
        """Whether the phrase occurs in the text (words in order, each at most ``max_gap``
        words after the previous one)."""
        reached = index.where(self.pattern[0])
        for pattern in self.pattern[1:]:
            if not reached:
                return False
            here = index.where(pattern)
            reached = {p for p in here if any(0 < p - q <= max_gap + 1 for q in reached)}
        return bool(reached)


def phrase_words(phrase: Phrase) -> list[str]:
    """The words of a phrase that need lemmas (prefix words are used as written)."""
    return [word for word in phrase.text.lower().split() if not word.endswith("*")]


def compile_phrase(phrase: Phrase, lemmatizer: Lemmatizer) -> CompiledPhrase:
    """Lemmatises a phrase's words; function words are dropped unless nothing else is left."""
    patterns: list[WordPattern] = []
    for raw in phrase.text.lower().split():
        if raw.endswith("*"):
            patterns.append(WordPattern(fold(raw.rstrip("*")), prefix=True))
        else:
            patterns += [_word(w, lemmatizer) for w in words(raw)]
    content = [p for p in patterns if p.prefix or p.key not in FUNCTION_WORDS]
    return CompiledPhrase(phrase.text, phrase.weight, tuple(content or patterns))


def _word(word: str, lemmatizer: Lemmatizer) -> WordPattern:
    lemma = lemmatizer.readings(word)[0]
    return WordPattern(lemma, False, frozenset({lemma, fold(word)}))
