"""E-mail addresses, written ("jan.kowalski@gmina.pl") or spoken as engines write them
("jan kropka kowalski małpa gmina kropka pl").

A spoken address is anchored on "małpa" (or "@"): to its right a domain of at least two parts
joined by "kropka"/"."; to its left a local part of words joined by separators ("kropka",
"myślnik", "podkreślnik", ...), plus up to ``MAX_EXTRA_NAME_WORDS`` more plain words when no
separator joins them ("jan kowalski małpa ..."), stopping at words like "to", "na", "mail"
that introduce an address. Redacting one word too many is preferred to leaking a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cic.speech.findings import Kind, Span
from cic.speech.text import Token

_WRITTEN = re.compile(r"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+", re.UNICODE)
_PART = re.compile(r"[\w][\w.\-]*", re.UNICODE)
AT_WORDS = frozenset({"malpa", "malpka", "malpe", "malpke", "@", "at"})
DOT_WORDS = frozenset({"kropka", "kropke", ".", "dot"})
LOCAL_SEPARATORS = frozenset(
    {*DOT_WORDS, "myslnik", "minus", "podkreslnik", "podloga", "podkreslenie", "-", "_"}
)
STOP_WORDS = frozenset(
    {
        "to", "jest", "na", "pod", "mail", "maila", "mailem", "email", "e-mail", "emaila",
        "adres", "adresu", "adresem", "mailowy", "mailowego", "poczta", "moj", "moja", "moje",
        "mojego", "i", "a", "albo", "lub", "czy", "prosze", "o", "w", "z", "ze", "tak",
        "pisac", "pisze", "napisac", "wyslac", "wysle", "jak", "numer", "brzmi",
    }
)  # fmt: skip
MAX_EXTRA_NAME_WORDS = 2


def written_emails(tokens: Sequence[Token]) -> list[Span]:
    """Words that are e-mail addresses."""
    return [
        Span(Kind.EMAIL, token.index, token.index + 1)
        for token in tokens
        if _WRITTEN.fullmatch(token.core)
    ]


def spoken_emails(tokens: Sequence[Token], blocked: set[int]) -> list[Span]:
    """Addresses spelled out around "małpa"; ``blocked`` words are never included."""
    spans: list[Span] = []
    for token in tokens:
        if token.key not in AT_WORDS or token.index in blocked:
            continue
        end = _domain_end(tokens, token.index + 1, blocked)
        start = _local_start(tokens, token.index - 1, blocked)
        if end is not None and start is not None:
            spans.append(Span(Kind.EMAIL, start, end))
    return spans


def _is_part(token: Token, blocked: set[int]) -> bool:
    key = token.key
    return (
        token.index not in blocked
        and _PART.fullmatch(token.core) is not None
        and key not in AT_WORDS
        and key not in LOCAL_SEPARATORS
    )


def _domain_end(tokens: Sequence[Token], first: int, blocked: set[int]) -> int | None:
    """The end of a domain starting at ``first`` ("gmina kropka pl", "gmina.pl"), or None."""
    if first >= len(tokens) or not _is_part(tokens[first], blocked):
        return None
    end, dots = first + 1, tokens[first].core.count(".")
    while end + 1 < len(tokens) and tokens[end].key in DOT_WORDS:
        if not _is_part(tokens[end + 1], blocked) or end in blocked:
            break
        end, dots = end + 2, dots + 1
    return end if dots else None


def _local_start(tokens: Sequence[Token], last: int, blocked: set[int]) -> int | None:
    """The first word of a local part ending at ``last``, or None when there is none."""
    if last < 0 or not _is_part(tokens[last], blocked) or tokens[last].key in STOP_WORDS:
        return None
    start = last
    while start >= 2 and tokens[start - 1].key in LOCAL_SEPARATORS:
        if not _is_part(tokens[start - 2], blocked) or start - 1 in blocked:
            break
        start -= 2
    for _ in range(MAX_EXTRA_NAME_WORDS):
        before = start - 1
        if before < 0 or not _is_part(tokens[before], blocked):
            break
        if tokens[before].key in STOP_WORDS or tokens[before].ends_sentence:
            break
        start = before
    return start
