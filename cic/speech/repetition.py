"""The last guard against recognition loops: runs of a repeated n-gram are kept once.

Whisper (and, more rarely, a Kaldi graph) can fall into a loop on noisy or synthetic speech and
write the same words dozens of times ("… i wem się zmierodzy" forty times). People repeat
themselves too ("nie, nie, nie"), so only a run of *more than* ``max_repeats`` copies in a row
of an n-gram of 1 to ``max_n`` words is cut, down to its first copy; a trailing partial copy
of the run goes with it. Words are compared case- and punctuation-blind. The kept words keep
their own times, so the result is a subsequence of the input: times stay as they were.
Cutting can bring two runs together ("b a a a a b a a a a …" becomes "b a b a …"), so the
cut is repeated until nothing changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from cic.speech.models import Word

log = logging.getLogger(__name__)

MAX_N = 6
MAX_REPEATS = 3
_PUNCTUATION = " \t\n.,!?;:…\"'„”“«»()[]-–—"

_fired = 0
_fired_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Cut:
    """What :func:`cut_repetitions` did: the words kept and how many were dropped."""

    words: tuple[Word, ...]
    dropped: int


def times_fired() -> int:
    """How many recognitions in this process had a repeated run cut (for the status/logs)."""
    return _fired


def _key(word: Word) -> str:
    return word.text.strip(_PUNCTUATION).casefold()


def _run_at(keys: Sequence[str], i: int, max_n: int, max_repeats: int) -> tuple[int, int]:
    """The longest run of more than ``max_repeats`` copies starting at ``i``: (n-gram length,
    copies), the shortest n on a tie; (1, 1) when there is none."""
    best_n, best_copies = 1, 1
    for n in range(1, max_n + 1):
        gram = keys[i : i + n]
        if len(gram) < n:
            break
        copies = 1
        while keys[i + copies * n : i + (copies + 1) * n] == gram:
            copies += 1
        if copies > max_repeats and copies * n > best_copies * best_n:
            best_n, best_copies = n, copies
    return best_n, best_copies


def _one_pass(words: Sequence[Word], max_n: int, max_repeats: int) -> list[Word]:
    keys = [_key(w) for w in words]
    kept: list[Word] = []
    i = 0
    while i < len(words):
        n, copies = _run_at(keys, i, max_n, max_repeats)
        if copies <= max_repeats:
            kept.append(words[i])
            i += 1
            continue
        kept += words[i : i + n]
        i += n * copies
        gram = keys[i - n : i]
        # A loop cut off mid-copy ("młogniew z ramią młogniew z r…"): the partial copy goes too.
        partial = 0
        while partial < n - 1 and i + partial < len(keys) and keys[i + partial] == gram[partial]:
            partial += 1
        i += partial
    return kept


def cut_repetitions(
    words: Sequence[Word], *, max_n: int = MAX_N, max_repeats: int = MAX_REPEATS
) -> Cut:
    """``words`` with every run of an n-gram (1..``max_n`` words) repeated more than
    ``max_repeats`` times in a row kept once."""
    if max_n < 1 or max_repeats < 1:
        raise ValueError("max_n and max_repeats must be at least 1")
    current = list(words)
    while True:
        shorter = _one_pass(current, max_n, max_repeats)
        if len(shorter) == len(current):
            break
        current = shorter
    return Cut(tuple(current), len(words) - len(current))


def without_loops(words: Sequence[Word], *, engine: str, source: str) -> tuple[Word, ...]:
    """:func:`cut_repetitions` as the engines apply it: a cut is logged and counted."""
    cut = cut_repetitions(words)
    if cut.dropped:
        global _fired
        with _fired_lock:
            _fired += 1
        log.warning(
            "speech: %s repeated itself in %s; %d of %d words cut as a recognition loop",
            engine,
            source,
            cut.dropped,
            len(words),
        )
    return cut.words
