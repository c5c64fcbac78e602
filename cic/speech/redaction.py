"""Redaction of personal data in Polish transcripts and plain text.

Finds PESEL, ID card, NIP, bank account, phone and e-mail values - written or spoken as words -
and replaces each with one typed placeholder (``[PESEL]``, ``[DOWÓD]``, ``[NIP]``, ``[KONTO]``,
``[TELEFON]``, ``[EMAIL]``, ``[NUMER]``). For word lists the placeholder is one word spanning
the time range of the words it replaces. Findings name the kind and position, never the value.

Order: e-mail addresses first (their words are then off limits), then ID cards, then runs of
digits (see :mod:`cic.speech.numbers` for how a run is classified, and why a long number
without a valid checksum is still redacted as ``[NUMER]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from cic.speech.emails import spoken_emails, written_emails
from cic.speech.findings import Finding, Kind, Span
from cic.speech.identifiers import id_card_before_run, id_cards_in_words
from cic.speech.models import Segment, Transcript, Word
from cic.speech.number_kinds import classify_run, hint_before
from cic.speech.numbers import find_runs
from cic.speech.text import Token, tokens_of_text, tokens_of_words


@dataclass(frozen=True, slots=True)
class RedactionPolicy:
    """Tunable rules. ``min_digits``: a run of at least this many digits is personal data even
    without a valid checksum; ``redact_unverified_numbers=False`` keeps such runs (phone-shaped
    ones are still redacted as ``[TELEFON]``)."""

    min_digits: int = 9
    redact_unverified_numbers: bool = True


@dataclass(frozen=True, slots=True)
class RedactedText:
    """Plain text with placeholders, and what was found in the input."""

    text: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class RedactedWords:
    """Words with placeholders (each spanning the replaced words' time), and the findings."""

    words: tuple[Word, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class SegmentFinding:
    """A finding in segment ``segment`` of a transcript (word spans are within the segment)."""

    segment: int
    finding: Finding


@dataclass(frozen=True, slots=True)
class RedactedTranscript:
    """A transcript with every segment redacted, and the findings per segment."""

    transcript: Transcript
    findings: tuple[SegmentFinding, ...]


def find_spans(tokens: Sequence[Token], policy: RedactionPolicy | None = None) -> list[Span]:
    """Non-overlapping spans of personal data among ``tokens``, in word order."""
    policy = policy or RedactionPolicy()
    spans = written_emails(tokens)
    spans += spoken_emails(tokens, _covered(spans))
    spans += id_cards_in_words(tokens, _covered(spans))
    blocked = _covered(spans)
    for run in find_runs(tokens, blocked):
        id_card = id_card_before_run(
            tokens, run, blocked, unverified=policy.redact_unverified_numbers
        )
        if id_card is not None:
            spans.append(id_card)
        else:
            hint = hint_before(tokens, run.units[0].start)
            spans += classify_run(run, policy.min_digits, policy.redact_unverified_numbers, hint)
    return _without_overlaps(spans)


def redact_text(text: str, policy: RedactionPolicy | None = None) -> RedactedText:
    """Redacts plain text; whitespace between kept words is preserved."""
    tokens = tokens_of_text(text)
    spans = find_spans(tokens, policy)
    pieces: list[str] = []
    position = 0
    for span in spans:
        first, last = tokens[span.start], tokens[span.end - 1]
        pieces += [text[position : first.char_start], span.kind.placeholder + last.trailing]
        position = last.char_end
    pieces.append(text[position:])
    return RedactedText("".join(pieces), _findings(spans, tokens))


def redact_words(words: Sequence[Word], policy: RedactionPolicy | None = None) -> RedactedWords:
    """Redacts timed words: each value becomes one placeholder word from the first replaced
    word's start to the last one's end, with the lowest confidence among them."""
    _, tokens = tokens_of_words([word.text for word in words])
    spans = find_spans(tokens, policy)
    result: list[Word] = []
    position = 0
    for span in spans:
        result += words[position : span.start]
        replaced = words[span.start : span.end]
        result.append(
            Word(
                text=span.kind.placeholder + tokens[span.end - 1].trailing,
                start=replaced[0].start,
                end=replaced[-1].end,
                confidence=min(word.confidence for word in replaced),
            )
        )
        position = span.end
    result += words[position:]
    return RedactedWords(tuple(result), _findings(spans, tokens))


def redact_transcript(
    transcript: Transcript, policy: RedactionPolicy | None = None
) -> RedactedTranscript:
    """Redacts each segment on its own (a value never spans two speakers' segments)."""
    segments: list[Segment] = []
    findings: list[SegmentFinding] = []
    for number, segment in enumerate(transcript.segments):
        redacted = redact_words(segment.words, policy)
        segments.append(Segment(segment.speaker, redacted.words))
        findings += [SegmentFinding(number, finding) for finding in redacted.findings]
    return RedactedTranscript(replace(transcript, segments=tuple(segments)), tuple(findings))


def _covered(spans: Sequence[Span]) -> set[int]:
    return {index for span in spans for index in range(span.start, span.end)}


def _without_overlaps(spans: Sequence[Span]) -> list[Span]:
    """Sorted spans; a span overlapping an earlier-found one is dropped (safety net)."""
    kept: list[Span] = []
    taken: set[int] = set()
    for span in spans:
        indices = set(range(span.start, span.end))
        if not indices & taken:
            kept.append(span)
            taken |= indices
    return sorted(kept, key=lambda span: span.start)


def _findings(spans: Sequence[Span], tokens: Sequence[Token]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            span.kind,
            span.start,
            span.end,
            tokens[span.start].char_start,
            tokens[span.end - 1].char_end,
        )
        for span in spans
    )


__all__ = [
    "Finding",
    "Kind",
    "RedactedText",
    "RedactedTranscript",
    "RedactedWords",
    "RedactionPolicy",
    "SegmentFinding",
    "find_spans",
    "redact_text",
    "redact_transcript",
    "redact_words",
]
