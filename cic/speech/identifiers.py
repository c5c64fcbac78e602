"""Polish ID card numbers (dowód osobisty): three letters and six digits, written as one word
("ABC123456"), as a series word and digits ("ABC 123456"), or spelled and spoken
("a be ce jeden dwa trzy cztery pięć sześć", also mixed: "AB ce", "a BC").

A number written as one word counts only with a valid check digit. A series said or written
apart, right before six digits, counts even when the check digit does not hold (speech
recognition mishears a digit more often than a resident reads out something else in that
shape), unless the office keeps unverified numbers: then only a valid one is hidden. The
series letters are always hidden with the digits, never left behind."""

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


def id_card_before_run(
    tokens: Sequence[Token], run: Run, blocked: set[int], *, unverified: bool = True
) -> Span | None:
    """An ID card whose series comes right before a run of exactly six digits: one with a
    valid check digit, else (``unverified``) the series and the digits as they were heard."""
    if run.digit_count != 6:
        return None
    first = run.units[0].start
    digits = "".join(unit.digits for unit in run.units)
    candidates = _series_candidates(tokens, first, blocked)
    for start, series in candidates:
        if is_id_card(series + digits):
            return Span(Kind.ID_CARD, start, run.units[-1].end)
    if unverified and candidates:
        return Span(Kind.ID_CARD, candidates[0][0], run.units[-1].end)
    return None


def _series_candidates(
    tokens: Sequence[Token], first: int, blocked: set[int]
) -> list[tuple[int, str]]:
    """(start word, three letters) read from the words just before word ``first``: a word of
    three letters, or up to three words that together spell three letters (letter names,
    single letters, a capitalised pair: "a be ce", "AB ce", "a BC")."""
    candidates: list[tuple[int, str]] = []
    if first >= 1 and first - 1 not in blocked:
        core = tokens[first - 1].core
        if _SERIES.fullmatch(core):
            candidates.append((first - 1, core.upper()))
    letters = ""
    for index in range(first - 1, max(first - 4, -1), -1):
        spelled = _letters(tokens[index]) if index not in blocked else None
        if spelled is None or len(letters) + len(spelled) > 3:
            break
        letters = spelled + letters
        if len(letters) == 3 and index < first - 1:
            candidates.append((index, letters))
            break
    return candidates


def _letters(token: Token) -> str | None:
    """The letters a word spells: one letter, a letter's Polish name, or two capitals."""
    core = token.core
    if len(core) == 1 and core.isascii() and core.isalpha():
        return core.upper()
    if len(core) == 2 and core.isascii() and core.isalpha() and core.isupper():
        return core
    return LETTER_NAMES.get(token.key)
