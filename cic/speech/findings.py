"""What redaction found: the kind of personal data and where, never the value itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """A kind of personal data; the value is the placeholder label."""

    PESEL = "PESEL"
    ID_CARD = "DOWÓD"
    NIP = "NIP"
    ACCOUNT = "KONTO"
    PHONE = "TELEFON"
    EMAIL = "EMAIL"
    NUMBER = "NUMER"  # a long number that passed no checksum: personal by default

    @property
    def placeholder(self) -> str:
        """The text that replaces the value, e.g. ``[PESEL]``."""
        return f"[{self.value}]"


@dataclass(frozen=True, slots=True)
class Span:
    """Words ``[start, end)`` of the input that hold one value of ``kind``."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One redacted value: its kind, word span ``[word_start, word_end)`` and character span
    ``[char_start, char_end)`` in the input text (for word lists: the words joined by spaces)."""

    kind: Kind
    word_start: int
    word_end: int
    char_start: int
    char_end: int
