"""Words the recogniser is told to expect: the office's place names and the topics' names.

Whisper cannot guess how a village or a street is spelled, nor that "fundusz sołecki" is a
likely phrase; given as hotwords (a prompt before every 30-second window) they come back spelled
right far more often. Place names come first (they are what the model cannot know), then the
taxonomy's topic names; the engine keeps as many whole phrases as fit its token budget.
The office's list is checked where the configuration is read (``cic.config.check_vocabulary``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence


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
