"""Numbers in a transcript - written ("601 234 567", "PL61 1090 ...") or spoken ("sześćset
jeden ...") - grouped into runs of digit units, each unit remembering its words.

A *run* is a sequence of digit units (a written digit group, or a spoken number phrase) with
nothing but fillers ("yyy", "eee") or dashes between them; any other word, or a word ending a
sentence, ends it. A run followed by a currency word ("1500 zł", "sto złotych") is an amount,
and so is any spoken number with "tysiąc"/"milion" (a year, a sum), which forms a run of its
own so that a phone number read right after it is still found. :mod:`number_kinds` says what
a run holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cic.speech.spoken_digits import NumberPhrase, PhraseBuilder, number_word
from cic.speech.text import Token

FILLERS = frozenset({"yyy", "yy", "eee", "ee", "eem", "ehm", "hmm", "mmm", "em", "ym", "-", "–"})
CURRENCY = frozenset({"zl", "zlotych", "zlote", "zloty", "pln", "euro", "eur", "groszy", "gr"})
# Digits in groups joined by spaces or hyphens, or by an ellipsis: Whisper writes digits read
# out slowly as "4...4...0...5" (one word, no spaces).
_WRITTEN = re.compile(r"\+?\d(?:[\d\- ]|\.\.\.|…)*")
_PL_PREFIXED = re.compile(r"(?i)pl\d[\d\- ]*")


@dataclass(frozen=True, slots=True)
class Unit:
    """Digits from words ``[start, end)``: one written group or one spoken phrase, with its
    possible readings (the first is the usual one)."""

    start: int
    end: int
    readings: tuple[str, ...]

    @property
    def digits(self) -> str:
        """The usual reading."""
        return self.readings[0]


@dataclass(frozen=True, slots=True)
class Run:
    """Units with nothing but fillers between them; ``first`` may include a "PL" word."""

    units: tuple[Unit, ...]
    amount: bool

    @property
    def digit_count(self) -> int:
        """How many digits the run holds (in its usual reading)."""
        return sum(len(unit.digits) for unit in self.units)

    @property
    def longest_reading(self) -> int:
        """How many digits the run holds in its longest reading ("pięćdziesiąt jeden" may
        be "51" or "501")."""
        return sum(max(map(len, unit.readings)) for unit in self.units)


def written_digits(token: Token) -> str | None:
    """The digits of a written number ("601-234-567", "+48", "PL61"), or None."""
    core = token.core
    if _WRITTEN.fullmatch(core) or _PL_PREFIXED.fullmatch(core):
        return re.sub(r"\D", "", core)
    return None


class _RunCollector:
    """Walks tokens once, gathering runs of digit units."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self._units: list[Unit] = []
        self._phrases = PhraseBuilder()
        self._pending_pl: int | None = None  # index of a "PL" word just before digits

    def add(self, token: Token, blocked: bool) -> None:
        """Feeds the next token; ``blocked`` tokens (already redacted) end any run."""
        key = token.key
        spoken = None if blocked else number_word(token.core)
        written = None if blocked else written_digits(token)
        if spoken is not None:
            self._take_phrases(self._phrases.feed(token.index, *spoken))
        elif written is not None:
            self._take_phrases(self._phrases.flush())
            start = token.index
            if self._pending_pl is not None and not self._units:
                start = self._pending_pl
            self._units.append(Unit(start, token.index + 1, (written,)))
        elif key in FILLERS and not blocked:
            return
        else:
            self.end(currency=key in CURRENCY)
            self._pending_pl = token.index if key == "pl" and not blocked else None
            return
        if token.ends_sentence:
            self.end(currency=False)

    def end(self, currency: bool) -> None:
        """Closes the current run; ``currency`` says a currency word follows it."""
        self._take_phrases(self._phrases.flush())
        self._close(amount=currency)

    def _take_phrases(self, phrases: list[NumberPhrase]) -> None:
        for phrase in phrases:
            if phrase.scaled:  # "dwa tysiące dwadzieścia sześć": a quantity, a run of its own
                self._close(amount=False)
                self.runs.append(Run((Unit(phrase.start, phrase.end, phrase.readings),), True))
                continue
            start = phrase.start
            if self._pending_pl is not None and not self._units:
                start = self._pending_pl
            self._units.append(Unit(start, phrase.end, phrase.readings))

    def _close(self, amount: bool) -> None:
        if self._units:
            self.runs.append(Run(tuple(self._units), amount=amount))
        self._units, self._pending_pl = [], None


def find_runs(tokens: Sequence[Token], blocked: set[int]) -> list[Run]:
    """All runs of digit units; ``blocked`` words (already redacted) are never part of one."""
    collector = _RunCollector()
    for token in tokens:
        collector.add(token, token.index in blocked)
    collector.end(currency=False)
    return collector.runs
