"""Phrase rules compiled to lemma patterns, and matching them against a lemmatised text.

A phrase matches when its words occur in order, each at most ``max_gap`` words after the
previous one ("podatek od nieruchomości" also matches "podatku od mojej nieruchomości").
Function words ("od", "za", "na", ...) are dropped from phrases - the gap covers them - so
"podatek od garażu" also matches "podatek za garaż". A word ending in ``*`` is a prefix.

A phrase word and a text word meet when any lemma one may have is a lemma of the other (the
lemmatiser gives every reading: "drogi" is an adjective and a form of "droga"), or when their
folded spellings are equal.
"""

from __future__ import annotations

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
    """One phrase word: its folded lemmas and folded spelling (any may equal one of a text
    word's keys), or, for a prefix, the folded prefix a text word's key must start with."""

    key: str
    prefix: bool
    spelling: str = ""
    readings: frozenset[str] = frozenset()

    def matches(self, keys: Keys) -> bool:
        """Whether a text word with these keys matches."""
        if self.prefix:
            return any(key.startswith(self.key) for key in keys)
        return any(key in self.readings or key == self.spelling for key in keys)

    def vocabulary(self) -> frozenset[str]:
        """The keys this word is found by (for matching misrecognised words)."""
        return frozenset() if self.prefix else self.readings | {self.spelling}


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    """A phrase rule ready for matching."""

    text: str
    weight: float
    pattern: tuple[WordPattern, ...]

    def found_in(self, text_keys: Sequence[Keys], max_gap: int) -> bool:
        """Whether the phrase occurs in the text (words in order, gaps of at most max_gap)."""
        first = self.pattern[0]
        return any(
            first.matches(keys) and self._rest_from(text_keys, start + 1, 1, max_gap)
            for start, keys in enumerate(text_keys)
        )

    def _rest_from(self, text_keys: Sequence[Keys], position: int, part: int, gap: int) -> bool:
        if part == len(self.pattern):
            return True
        for index in range(position, min(position + gap + 1, len(text_keys))):
            if self.pattern[part].matches(text_keys[index]) and self._rest_from(
                text_keys, index + 1, part + 1, gap
            ):
                return True
        return False


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
    readings = lemmatizer.readings(word)
    return WordPattern(readings[0], False, fold(word), frozenset(readings))


def text_keys(text: str, lemmatizer: Lemmatizer) -> list[Keys]:
    """The keys of every word of ``text``."""
    return [lemmatizer.keys(word) for word in words(text)]
