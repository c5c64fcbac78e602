"""Reaching the taxonomy's words through speech-recognition slips.

An engine splits a word ("harmono gram") or writes one that does not exist ("śmieciarkaa",
"zamelodowałem" for "zameldowałem"). For such words their exact keys (lemmas and spelling)
meet no phrase word; :class:`SlipMatcher` adds, as
*slip keys*, the vocabulary word that two adjacent words make together, or the closest
vocabulary word to an unknown word (by edit similarity, rapidfuzz). Phrases found only through
slip keys count at a lower weight (see :mod:`cic.topics.tagger`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from cic.speech.text import fold
from cic.topics.lemmas import Lemmatizer
from cic.topics.rules import Keys

MIN_LENGTH = 6  # shorter words are too easily close to an unrelated one
SIMILARITY = 85.0


class SlipMatcher:
    """Adds slip keys to the keys of a text, against one vocabulary of phrase-word keys."""

    def __init__(self, vocabulary: Collection[str], lemmatizer: Lemmatizer) -> None:
        self.vocabulary = frozenset(vocabulary)
        self._long = sorted(key for key in self.vocabulary if len(key) >= MIN_LENGTH)
        self.lemmatizer = lemmatizer
        self._closest = lru_cache(maxsize=100_000)(self._find_closest)

    def _known(self, keys: Keys) -> bool:
        return any(key in self.vocabulary for key in keys)

    def _find_closest(self, word: str) -> str | None:
        folded = fold(word)
        if len(folded) < MIN_LENGTH or not self._long:
            return None
        if self.lemmatizer.known(word):
            return None  # a real word, just another one: not a slip
        found = process.extractOne(folded, self._long, scorer=fuzz.ratio, score_cutoff=SIMILARITY)
        return None if found is None else str(found[0])

    def slip_keys(self, tokens: Sequence[str], keys: Sequence[Keys]) -> list[Keys]:
        """``keys`` with slip keys added where the exact ones meet no vocabulary word."""
        out = [tuple(k) for k in keys]
        for index, token in enumerate(tokens):
            pair = token + tokens[index + 1] if index + 1 < len(tokens) else ""
            # short pairs are words of their own more often than a split ("i od" is no "IOD")
            if len(pair) >= MIN_LENGTH and not self._known(keys[index + 1]):
                joined = self.lemmatizer.keys(pair)
                if self._known(joined):  # "nie ruchomości": "nie" is a word, the pair one too
                    out[index] = (*out[index], *joined)
                    continue
            if self._known(keys[index]):
                continue
            closest = self._closest(token)
            if closest is not None:
                out[index] = (*out[index], closest)
        return out
