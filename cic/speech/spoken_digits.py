"""Polish number words as speech-to-text engines emit them, turned back into digit strings.

Residents read identifiers digit by digit ("osiem zero jeden"), in pairs ("osiemdziesiąt zero
jeden") or in groups ("sześćset jeden dwieście trzydzieści cztery"). Words compose as cardinals
do - hundreds, then tens, then units ("sto dwadzieścia trzy" → 123) - and a word that cannot
continue the current number starts the next one ("jeden dwa" → 1, 2). Each phrase keeps the
indices of the words it came from, so a placeholder later covers exactly those words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from cic.speech.text import fold


class Rank(IntEnum):
    """What a number word contributes to a phrase."""

    UNIT = 1  # 1..9
    TEEN = 2  # 10..19
    TENS = 3
    HUNDREDS = 4
    SCALE = 5  # tysiąc, milion
    ZERO = 6  # always a phrase of its own


FOLLOWS: dict[Rank, frozenset[Rank]] = {
    Rank.HUNDREDS: frozenset({Rank.TENS, Rank.TEEN, Rank.UNIT}),
    Rank.TENS: frozenset({Rank.UNIT}),
    Rank.TEEN: frozenset(),
    Rank.UNIT: frozenset(),
}
"""Which ranks may continue a group after a word of a rank ("sto dwadzieścia trzy" yes,
"trzydzieści dziewiętnaście" or "pięć sześć" no: those are two numbers)."""


def _forms(value: int, rank: Rank, *words: str) -> dict[str, tuple[int, Rank]]:
    return {fold(word): (value, rank) for word in words}


NUMBER_WORDS: dict[str, tuple[int, Rank]] = {
    **_forms(0, Rank.ZERO, "zero", "zera", "zerem"),
    **_forms(1, Rank.UNIT, "jeden", "jedna", "jedno", "jedną", "jednego", "jedynka", "jedynkę"),
    **_forms(2, Rank.UNIT, "dwa", "dwie", "dwóch", "dwójka", "dwójkę"),
    **_forms(3, Rank.UNIT, "trzy", "trzech", "trójka", "trójkę"),
    **_forms(4, Rank.UNIT, "cztery", "czterech", "czwórka", "czwórkę"),
    **_forms(5, Rank.UNIT, "pięć", "pięciu", "piątka", "piątkę"),
    **_forms(6, Rank.UNIT, "sześć", "sześciu", "szóstka", "szóstkę"),
    **_forms(7, Rank.UNIT, "siedem", "siedmiu", "siódemka", "siódemkę"),
    **_forms(8, Rank.UNIT, "osiem", "ośmiu", "ósemka", "ósemkę"),
    **_forms(9, Rank.UNIT, "dziewięć", "dziewięciu", "dziewiątka", "dziewiątkę"),
    **_forms(10, Rank.TEEN, "dziesięć", "dziesięciu", "dziesiątka", "dziesiątkę"),
    **_forms(11, Rank.TEEN, "jedenaście", "jedenastu"),
    **_forms(12, Rank.TEEN, "dwanaście", "dwunastu"),
    **_forms(13, Rank.TEEN, "trzynaście", "trzynastu"),
    **_forms(14, Rank.TEEN, "czternaście", "czternastu"),
    **_forms(15, Rank.TEEN, "piętnaście", "piętnastu"),
    **_forms(16, Rank.TEEN, "szesnaście", "szesnastu"),
    **_forms(17, Rank.TEEN, "siedemnaście", "siedemnastu"),
    **_forms(18, Rank.TEEN, "osiemnaście", "osiemnastu"),
    **_forms(19, Rank.TEEN, "dziewiętnaście", "dziewiętnastu"),
    **_forms(20, Rank.TENS, "dwadzieścia", "dwudziestu"),
    **_forms(30, Rank.TENS, "trzydzieści", "trzydziestu"),
    **_forms(40, Rank.TENS, "czterdzieści", "czterdziestu"),
    **_forms(50, Rank.TENS, "pięćdziesiąt", "pięćdziesięciu"),
    **_forms(60, Rank.TENS, "sześćdziesiąt", "sześćdziesięciu"),
    **_forms(70, Rank.TENS, "siedemdziesiąt", "siedemdziesięciu"),
    **_forms(80, Rank.TENS, "osiemdziesiąt", "osiemdziesięciu"),
    **_forms(90, Rank.TENS, "dziewięćdziesiąt", "dziewięćdziesięciu"),
    **_forms(100, Rank.HUNDREDS, "sto", "stu"),
    **_forms(200, Rank.HUNDREDS, "dwieście", "dwustu"),
    **_forms(300, Rank.HUNDREDS, "trzysta", "trzystu"),
    **_forms(400, Rank.HUNDREDS, "czterysta", "czterystu"),
    **_forms(500, Rank.HUNDREDS, "pięćset", "pięciuset"),
    **_forms(600, Rank.HUNDREDS, "sześćset", "sześciuset"),
    **_forms(700, Rank.HUNDREDS, "siedemset", "siedmiuset"),
    **_forms(800, Rank.HUNDREDS, "osiemset", "ośmiuset"),
    **_forms(900, Rank.HUNDREDS, "dziewięćset", "dziewięciuset"),
    **_forms(1000, Rank.SCALE, "tysiąc", "tysiące", "tysięcy", "tysiąca"),
    **_forms(1_000_000, Rank.SCALE, "milion", "miliony", "milionów", "miliona"),
}
"""Folded word form → (value, rank). Folded keys also match transcripts without diacritics."""


def number_word(word: str) -> tuple[int, Rank] | None:
    """The value and rank of a Polish number word (any case, with or without diacritics)."""
    return NUMBER_WORDS.get(fold(word))


@dataclass(frozen=True, slots=True)
class NumberPhrase:
    """Consecutive number words read as one number: word indices ``[start, end)`` and digits."""

    start: int
    end: int
    digits: str
    scaled: bool  # contained tysiąc/milion: a quantity or amount, not an identifier
    parts: tuple[str, ...] = ()  # each word's own value ("trzydzieści siedem" → "30", "7")

    @property
    def readings(self) -> tuple[str, ...]:
        """The composed digits first, then - when different - each word read on its own
        (a resident reading "30", "7" sounds exactly like "37")."""
        split = "".join(self.parts)
        if self.scaled or len(self.parts) < 2 or split == self.digits:
            return (self.digits,)
        return (self.digits, split)


class PhraseBuilder:
    """Composes number words fed one at a time into :class:`NumberPhrase` objects."""

    def __init__(self) -> None:
        self._start: int | None = None
        self._end = 0
        self._total = 0
        self._group = 0
        self._lowest: Rank | None = None  # rank of the last word in the current group
        self._scale: int | None = None  # last scale word used in this phrase
        self._parts: list[str] = []

    def feed(self, index: int, value: int, rank: Rank) -> list[NumberPhrase]:
        """Adds word ``index``; returns the phrases this word completed (zero, one or two)."""
        done: list[NumberPhrase] = []
        if rank is Rank.ZERO:
            done.extend(self.flush())
            self._begin(index)
            done.extend(self.flush())
            return done
        if rank is Rank.SCALE:
            if self._scale is not None and self._scale <= value:
                done.extend(self.flush())
            if self._start is None:
                self._begin(index)
            self._total += (self._group or 1) * value
            self._group, self._lowest, self._scale = 0, None, value
        else:
            if self._lowest is not None and rank not in FOLLOWS[self._lowest]:
                done.extend(self.flush())
            if self._start is None:
                self._begin(index)
            self._group += value
            self._lowest = rank
            self._parts.append(str(value))
        self._end = index + 1
        return done

    def flush(self) -> list[NumberPhrase]:
        """Ends the current phrase, if any, and returns it."""
        if self._start is None:
            return []
        phrase = NumberPhrase(
            self._start,
            self._end,
            str(self._total + self._group),
            self._scale is not None,
            tuple(self._parts),
        )
        self._start, self._total, self._group, self._parts = None, 0, 0, []
        self._lowest, self._scale = None, None
        return [phrase]

    def _begin(self, index: int) -> None:
        self._start, self._end = index, index + 1


def parse_number_words(words: list[str]) -> list[NumberPhrase]:
    """Every number phrase in ``words`` (other words end a phrase and are skipped)."""
    builder = PhraseBuilder()
    phrases: list[NumberPhrase] = []
    for index, word in enumerate(words):
        entry = number_word(word)
        if entry is None:
            phrases.extend(builder.flush())
        else:
            phrases.extend(builder.feed(index, *entry))
    phrases.extend(builder.flush())
    return phrases
