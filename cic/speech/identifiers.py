"""Polish ID card numbers (dowód osobisty): three letters and six digits, written as one word
("ABC123456"), as a series word and digits ("ABC 123456"), or spelled and spoken
("a be ce jeden dwa trzy cztery pięć sześć"). Only numbers with a valid check digit count."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cic.speech.checksums import is_id_card
from cic.speech.findings import Kind, Span
from cic.speech.numbers import Run
from cic.speech.text import Token

_ONE_WORD = re.compile(r"[A-Za-z]{3}[\s-]?\d{6}")
_SERIES = re.compile(r"[A-Za-z]{3}")
# Polish names of letters, as an engine writes a spelled series (folded, no diacritics).
LETTER_NAMES = {
    "a": "A", "be": "B", "ce": "C", "de": "D", "e": "E", "ef": "F", "gie": "G", "ha": "H",
    "i": "I", "jot": "J", "ka": "K", "el": "L", "em": "M", "en": "N", "o": "O", "pe": "P",
    "ku": "Q", "er": "R", "es": "S", "te": "T", "u": "U", "wu": "W", "fau": "V",
    "iks": "X", "igrek": "Y", "zet": "Z",
}  # fmt: skip


def id_cards_in_words(tokens: Sequence[Token], blocked: set[int]) -> list[Span]:
    """ID card numbers written as one word."""
    return [
        Span(Kind.ID_CARD, token.index, token.index + 1)
        for token in tokens
        if token.index not in blocked
        and _ONE_WORD.fullmatch(token.core)
        and is_id_card(re.sub(r"[\s-]", "", token.core))
    ]


def id_card_before_run(tokens: Sequence[Token], run: Run, blocked: set[int]) -> Span | None:
    """An ID card whose series (one word, or three spelled letters) comes right before a run
    of exactly six digits."""
    if run.digit_count != 6:
        return None
    first = run.units[0].start
    digits = "".join(unit.digits for unit in run.units)
    for start, series in _series_candidates(tokens, first, blocked):
        if is_id_card(series + digits):
            return Span(Kind.ID_CARD, start, run.units[-1].end)
    return None


def _series_candidates(
    tokens: Sequence[Token], first: int, blocked: set[int]
) -> list[tuple[int, str]]:
    """(start word, three letters) read from the words just before word ``first``."""
    candidates: list[tuple[int, str]] = []
    if first >= 1 and first - 1 not in blocked:
        core = tokens[first - 1].core
        if _SERIES.fullmatch(core):
            candidates.append((first - 1, core.upper()))
    if first >= 3 and not blocked.intersection(range(first - 3, first)):
        letters = [_letter(tokens[index]) for index in range(first - 3, first)]
        if all(letters):
            candidates.append((first - 3, "".join(letter or "" for letter in letters)))
    return candidates


def _letter(token: Token) -> str | None:
    core = token.core
    if len(core) == 1 and core.isascii() and core.isalpha():
        return core.upper()
    return LETTER_NAMES.get(token.key)
