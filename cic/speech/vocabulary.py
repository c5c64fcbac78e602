"""Words the recogniser is told to expect: the office's place names and the topics' names.

Whisper cannot guess how a village or a street is spelled, nor that "fundusz sołecki" is a
likely phrase; given as hotwords (a prompt before every 30-second window) they come back spelled
right far more often. Place names come first (they are what the model cannot know), then the
taxonomy's topic names; the engine keeps as many whole phrases as fit its token budget.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence

MAX_PHRASES = 300
MAX_PHRASE_CHARS = 60


def check_vocabulary(items: Sequence[object]) -> list[str]:
    """The office's vocabulary (``speech.vocabulary``) cleaned; ValueError says what is wrong."""
    if len(items) > MAX_PHRASES:
        raise ValueError(f"at most {MAX_PHRASES} entries (got {len(items)})")
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"entries are text, not {type(item).__name__}: {item!r}")
        phrase = " ".join(item.split())
        if not phrase:
            raise ValueError("an entry is empty")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise ValueError(f"{phrase[:20]!r}…: at most {MAX_PHRASE_CHARS} characters")
        if any(unicodedata.category(ch).startswith("C") for ch in phrase):
            raise ValueError(f"{phrase!r} has control characters")
        if not any(ch.isalpha() for ch in phrase):
            raise ValueError(f"{phrase!r} has no letters")
        out.append(phrase)
    return out


def prompt_phrases(*groups: Iterable[str]) -> tuple[str, ...]:
    """The groups' phrases in order (most important group first), each once (case-blind)."""
    seen: set[str] = set()
    out: list[str] = []
    for group in groups:
        for phrase in group:
            phrase = " ".join(phrase.split())
            if phrase and phrase.casefold() not in seen:
                seen.add(phrase.casefold())
                out.append(phrase)
    return tuple(out)


def fit_prompt(phrases: Sequence[str], count_tokens: Callable[[str], int], budget: int) -> str:
    """As many whole phrases as fit ``budget`` tokens (``count_tokens(text) -> int``), joined
    by commas; Whisper cuts a longer prompt itself, mid-word and from the wrong end."""
    kept: list[str] = []
    for phrase in phrases:
        candidate = ", ".join([*kept, phrase])
        if count_tokens(candidate) > budget:
            break
        kept.append(phrase)
    return ", ".join(kept)
