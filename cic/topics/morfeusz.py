"""Lemmatisation of Polish text with Morfeusz 2 and its SGJP dictionary.

Morfeusz analyses a word into every reading the dictionary allows ("zamek" is two nouns, "nie"
a particle, a conjunction and a pronoun); all their lemmas become comparison keys, so a phrase
word matches whatever reading the speaker meant. A word the dictionary does not know is most
often one an engine wrote without Polish letters ("nieruchomosci", "smieciarka"): it is looked
up among the folded spellings of every form of the vocabulary's lemmas (see
:meth:`MorfeuszLemmatizer.learn_vocabulary`), and then by putting the diacritics back, trying
each letter that could have lost one ("smieciarka" → "śmieciarka"), within a budget.

The dictionary loads in well under a second and takes some 30 MB, against several seconds and
some 400 MB for simplemma's; one instance per process is still best, for its caches.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from cic.speech.text import fold
from cic.topics.lemmas import words

# Letters a transcript may have written without their diacritic, and what they may have been.
_RESTORE = {"a": "aą", "c": "cć", "e": "eę", "l": "lł", "n": "nń", "o": "oó", "s": "sś", "z": "zźż"}
_VOWELS = frozenset("aąeęioóuy")
MAX_RESTORE_CANDIDATES = 1024


def _letter_options(word: str, index: int) -> str:
    """What the letter at ``index`` may have been, by Polish spelling: "ą" and "ę" never
    start a word; "ć", "ń", "ś" and "ź" never stand before a vowel (that is "ci", "ni", "si",
    "zi"); "z" after "c", "r" or "s" is part of "cz", "rz" or "sz"."""
    letter = word[index]
    options = _RESTORE.get(letter, letter)
    following = word[index + 1] if index + 1 < len(word) else ""
    previous = word[index - 1] if index else ""
    if index == 0:
        options = options.replace("ą", "").replace("ę", "")
    if following in _VOWELS:
        options = "".join(o for o in options if o not in "ćńśź")
    if letter == "z" and previous in ("c", "r", "s"):
        options = "z"
    return options


def _lemma_of(interpretation: Any) -> str:
    """The lemma of one Morfeusz reading without its homonym mark ("zamek:Sm3~a" → "zamek")."""
    return str(interpretation[2][1]).split(":", 1)[0]


class MorfeuszLemmatizer:
    """Maps Polish words to folded lemma keys with Morfeusz 2."""

    name = "morfeusz"

    def __init__(self) -> None:
        import morfeusz2

        self._morfeusz = morfeusz2.Morfeusz(expand_tags=False, generate=True)
        self._lock = threading.Lock()  # one Morfeusz object is not safe across threads
        self._folded: dict[str, frozenset[str]] = {}
        self._indexed: set[str] = set()
        self.readings = lru_cache(maxsize=200_000)(self._readings)
        self.known = lru_cache(maxsize=200_000)(self._known)

    def _analyse(self, word: str) -> list[str]:
        with self._lock:
            result = self._morfeusz.analyse(word)
        if any(item[2][2] == "ign" for item in result) or not result:
            return []
        # A word already in a base form first ("od" the preposition, not a form of "oda"),
        # then the lemma with the most readings: "wymiany" is far likelier "wymiana" than
        # the rare "wymian"; the order among equals is the dictionary's.
        counts = Counter(fold(_lemma_of(item)) for item in result)
        folded = fold(word)
        return sorted(counts, key=lambda lemma: (lemma != folded, -counts[lemma]))

    def _readings(self, word: str) -> tuple[str, ...]:
        """Every folded lemma of one lower-case word, the likeliest first; never empty."""
        found = self._analyse(word)
        if found:
            return tuple(found)
        folded = fold(word)
        if folded in self._folded:
            return tuple(sorted(self._folded[folded]))
        if word == folded:
            restored = self._restore(word)
            if restored:
                return restored
        return (folded,)

    def _restore(self, word: str) -> tuple[str, ...]:
        """Lemmas of the spellings of ``word`` with diacritics put back, if the dictionary knows
        exactly one such spelling's lemmas (several different words: none is guessed)."""
        options = [_letter_options(word, index) for index in range(len(word))]
        count = 1
        for choice in options:
            count *= len(choice)
        if count > MAX_RESTORE_CANDIDATES or count == 1:
            return ()
        hits: dict[str, tuple[str, ...]] = {}
        for letters in itertools.product(*options):
            candidate = "".join(letters)
            if candidate == word:
                continue
            lemmas = self._analyse(candidate)
            if lemmas:
                hits[candidate] = tuple(lemmas)
        distinct = set(hits.values())
        return distinct.pop() if len(distinct) == 1 else ()

    def _known(self, word: str) -> bool:
        """Whether the dictionary knows the word, also once its diacritics are put back."""
        return bool(self._analyse(word)) or self.readings(word) != (fold(word),)

    def lemma(self, word: str) -> str:
        """The likeliest folded lemma of one lower-case word."""
        return self.readings(word)[0]

    def keys(self, word: str) -> tuple[str, ...]:
        """Every folded lemma of one lower-case word, then its folded spelling."""
        return (*self.readings(word), fold(word))

    def lemmas(self, text: str) -> list[str]:
        """The likeliest folded lemma of every word of ``text``, in order."""
        return [self.lemma(word) for word in words(text)]

    def learn_vocabulary(self, phrase_words: Collection[str]) -> None:
        """Indexes all inflected forms of these words' lemmas by their folded spelling, so a
        form written without Polish letters reaches its lemma."""
        wanted: set[str] = set()
        for word in phrase_words:
            with self._lock:
                readings = self._morfeusz.analyse(word.lower())
            wanted |= {_lemma_of(r) for r in readings if r[2][2] != "ign"}
        wanted -= self._indexed
        for lemma in wanted:
            with self._lock:
                forms = self._morfeusz.generate(lemma)
            for form in forms:
                key = fold(str(form[0]))
                self._folded[key] = self._folded.get(key, frozenset()) | {fold(lemma)}
        if wanted:
            self._indexed |= wanted
            self.readings.cache_clear()
            self.known.cache_clear()
