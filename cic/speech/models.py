"""Plain data types of a transcript: words with timing, speaker segments, whole transcripts.

Pure frozen dataclasses (no ORM): speech-to-text engines produce them, redaction and topic
tagging consume them, and the store maps them to its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Speaker = Literal["resident", "agent"]
"""Who spoke a segment: the calling resident or the office's agent."""


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its time range in seconds and the engine's confidence (0..1)."""

    text: str
    start: float
    end: float
    confidence: float

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"word {self.text!r} ends ({self.end}) before its start {self.start}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"word {self.text!r} confidence {self.confidence} is outside 0..1")


@dataclass(frozen=True, slots=True)
class Segment:
    """Consecutive words of one speaker (one channel of the recording)."""

    speaker: Speaker
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(word.text for word in self.words)

    @property
    def start(self) -> float:
        """Start of the first word, 0.0 for an empty segment."""
        return self.words[0].start if self.words else 0.0

    @property
    def end(self) -> float:
        """End of the last word, 0.0 for an empty segment."""
        return self.words[-1].end if self.words else 0.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """A call's transcript: speaker segments in time order, plus the engine that produced it."""

    segments: tuple[Segment, ...]
    engine: str = ""
    language: str = "pl"

    @property
    def text(self) -> str:
        """All segments' text, one segment per line."""
        return "\n".join(segment.text for segment in self.segments)

    def by_speaker(self, speaker: Speaker) -> tuple[Segment, ...]:
        """The segments spoken by ``speaker``."""
        return tuple(segment for segment in self.segments if segment.speaker == speaker)
