"""Lemmatisers of Polish text for the tagger, tolerant of transcripts without diacritics.

Two backends share the :class:`Lemmatizer` interface: Morfeusz 2 with the SGJP dictionary
(:mod:`cic.topics.morfeusz`, the default) and simplemma (:class:`SimplemmaLemmatizer`);
``bench/topics_quality.py`` compares them side by side.

simplemma ships its Polish dictionary inside the wheel (no download at run time); loading it
takes a few seconds and about 400 MB, so one :class:`SimplemmaLemmatizer` per process should be
shared. Every token gets comparison *keys*: its folded lemma (lower case, no diacritics) and
its folded surface form. For words an engine wrote without Polish letters ("nieruchomosci",
"smieci") the dictionary has no entry; :meth:`SimplemmaLemmatizer.learn_vocabulary` therefore
indexes every inflected form of the given lemmas by its folded spelling, so that such words
still reach their lemma ("smieci" → "smiec").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Protocol

from simplemma import Lemmatizer as Simplemma
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from cic.speech.text import fold

LANGUAGE = "pl"
LEMMATIZERS = ("morfeusz", "simplemma")
DEFAULT_LEMMATIZER = "morfeusz"
_WORD = re.compile(r"\w+")
log = logging.getLogger(__name__)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; "+" is read as "plus" ("800+" → "800", "plus")."""
    return _WORD.findall(text.replace("+", " plus ").lower())


class Lemmatizer(Protocol):
    """Maps Polish words to folded lemmas (lower case, no diacritics)."""

    name: str

    def readings(self, word: str) -> tuple[str, ...]:
        """Every folded lemma one lower-case word may have, the likeliest first."""
        ...

    def lemma(self, word: str) -> str:
        """The likeliest folded lemma of one lower-case word."""
        ...

    def keys(self, word: str) -> tuple[str, ...]:
        """The word's folded lemmas, then its folded spelling: what phrase words meet."""
        ...

    def lemmas(self, text: str) -> list[str]:
        """The likeliest folded lemma of every word of ``text``, in order."""
        ...

    def known(self, word: str) -> bool:
        """Whether the dictionary knows the word (also once its diacritics are put back)."""
        ...

    def learn_vocabulary(self, phrase_words: Collection[str]) -> None:
        """Prepare for these words' inflected forms written without Polish letters."""
        ...


def make_lemmatizer(name: str = DEFAULT_LEMMATIZER) -> Lemmatizer:
    """A new lemmatiser of the named backend (``morfeusz`` or ``simplemma``)."""
    if name == "morfeusz":
        from cic.topics.morfeusz import MorfeuszLemmatizer

        return MorfeuszLemmatizer()
    if name == "simplemma":
        return SimplemmaLemmatizer()
    raise ValueError(f"unknown lemmatizer {name!r}; known: {', '.join(LEMMATIZERS)}")


class SimplemmaLemmatizer:
    """Maps Polish words to folded lemma keys with simplemma's dictionary."""

    name = "simplemma"

    def __init__(self) -> None:
        self._factory = DefaultDictionaryFactory()
        self._lemmatizer = Simplemma(
            lemmatization_strategy=DefaultStrategy(dictionary_factory=self._factory)
        )
        self._dictionary: Mapping[str, str] = self._factory.get_dictionary(LANGUAGE)
        self._folded: dict[str, str] = {}
        self._indexed: set[str] = set()
        self.lemma = lru_cache(maxsize=200_000)(self._lemma)

    def _lemma(self, word: str) -> str:
        """The folded lemma of one lower-case word."""
        known = self._dictionary.get(word)
        if known is not None:
            return fold(known)
        folded = fold(word)
        if folded in self._folded:
            return self._folded[folded]
        return fold(self._lemmatizer.lemmatize(word, LANGUAGE))

    def _plain_lemma(self, word: str) -> str:
        """simplemma's lemma (not folded) of one lower-case word."""
        return self._dictionary.get(word) or self._lemmatizer.lemmatize(word, LANGUAGE).lower()

    def known(self, word: str) -> bool:
        """Whether the dictionary or the vocabulary's index knows the word."""
        return word in self._dictionary or fold(word) in self._folded

    def readings(self, word: str) -> tuple[str, ...]:
        """simplemma gives one lemma per word."""
        return (self.lemma(word),)

    def keys(self, word: str) -> tuple[str, ...]:
        """(folded lemma, folded surface form) of one lower-case word."""
        return self.lemma(word), fold(word)

    def lemmas(self, text: str) -> list[str]:
        """The folded lemma of every word of ``text``, in order."""
        return [self.lemma(word) for word in words(text)]

    def learn_vocabulary(self, phrase_words: Collection[str]) -> None:
        """Indexes all inflected forms of these words' lemmas by their folded spelling."""
        lemmas = {w.lower(): self._plain_lemma(w.lower()) for w in phrase_words}
        wanted = set(lemmas.values()) - self._indexed
        if not wanted:
            return
        for form, lemma in self._forms_of(wanted):
            self._folded.setdefault(fold(form), fold(lemma))
        for word, lemma in lemmas.items():
            self._folded.setdefault(fold(lemma), fold(lemma))
            self._folded.setdefault(fold(word), fold(lemma))
        self._indexed |= wanted
        self.lemma.cache_clear()

    def _forms_of(self, lemmas: set[str]) -> list[tuple[str, str]]:
        """(form, lemma) pairs of the dictionary whose lemma is in ``lemmas``. Reads simplemma's
        bytes table directly when it has one (six times faster than its str wrapper)."""
        raw = getattr(self._dictionary, "_dict", None)
        if isinstance(raw, dict):
            wanted = {lemma.encode() for lemma in lemmas}
            return [(f.decode(), v.decode()) for f, v in raw.items() if v in wanted]
        return [(form, lemma) for form, lemma in self._dictionary.items() if lemma in lemmas]
