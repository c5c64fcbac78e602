"""Small text helpers shared by redaction (and usable by topic tagging): diacritics folding
and splitting text into tokens that remember their character offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
_EDGE_PUNCTUATION = "\"'„”“«»()[]{}<>,.;:!?…"
_WHITESPACE = re.compile(r"\S+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics (``Żółć`` → ``zolc``), for matching transcripts
    that an engine wrote without Polish letters."""
    ascii_polish = text.lower().translate(_POLISH)
    decomposed = unicodedata.normalize("NFKD", ascii_polish)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the input: its position, original text and character span."""

    index: int
    text: str
    char_start: int
    char_end: int

    @property
    def core(self) -> str:
        """The text without surrounding quotes, brackets and punctuation."""
        return self.text.strip().strip(_EDGE_PUNCTUATION)

    @property
    def key(self) -> str:
        """The core folded for dictionary look-ups (lower case, no diacritics)."""
        return fold(self.core)

    @property
    def trailing(self) -> str:
        """Punctuation after the core (``"567,"`` → ``","``), kept after a placeholder."""
        stripped = self.text.rstrip()
        return stripped[len(stripped.rstrip(_EDGE_PUNCTUATION)) :]

    @property
    def ends_sentence(self) -> bool:
        """Whether the word ends with sentence punctuation (which ends a run of digits)."""
        return any(mark in self.trailing for mark in ".?!;")


def tokens_of_text(text: str) -> list[Token]:
    """Split plain text on whitespace, keeping each token's character span."""
    return [
        Token(index, match.group(), match.start(), match.end())
        for index, match in enumerate(_WHITESPACE.finditer(text))
    ]


def tokens_of_words(texts: list[str]) -> tuple[str, list[Token]]:
    """Join word texts with single spaces; returns that text and one token per word (a word's
    own spaces, as some engines emit, stay inside its token)."""
    tokens: list[Token] = []
    position = 0
    for index, word in enumerate(texts):
        tokens.append(Token(index, word, position, position + len(word)))
        position += len(word) + 1
    return " ".join(texts), tokens
