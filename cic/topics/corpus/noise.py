"""Speech-like noise for corpus lines: hesitation fillers, lower case without punctuation,
dropped diacritics and the slips a Polish speech recogniser makes.

Redaction placeholders (``[PESEL]``, ``[TELEFON]``, ...) are kept as the redactor writes them:
the tagger sees them in real transcripts, so the corpus shows them unchanged.
"""

from __future__ import annotations

import random
import re

FILLERS = (
    "yyy",
    "eee",
    "no",
    "znaczy",
    "proszę pani",
    "wie pani",
    "wie pan",
    "tego",
    "jakby",
    "no i",
    "że tak powiem",
    "mhm",
    "prawda",
    "no bo",
    "tak",
)
_PLACEHOLDER = re.compile(r"\[[A-ZĄĆĘŁŃÓŚŹŻ]+\]")
_PLACEHOLDER_PART = re.compile(r"(\[[A-ZĄĆĘŁŃÓŚŹŻ]+\])")
_NOT_WORD = re.compile(r"[^\w\s]|_")
_POLISH = str.maketrans("ąćęłńóśźż", "acelnoszz")

# Sound-alike spellings a recogniser confuses (each pair is tried in both directions).
SOUND_ALIKES = (
    ("rz", "ż"),
    ("ch", "h"),
    ("ó", "u"),
    ("ę", "e"),
    ("ą", "om"),
    ("ą", "on"),
    ("ę", "em"),
    ("ś", "s"),
    ("ć", "c"),
    ("ź", "ż"),
    ("ł", "l"),
    ("dz", "c"),
    ("w", "f"),
    ("b", "p"),
    ("d", "t"),
)
# Inflectional endings swapped for one another (a recogniser often hears the wrong case).
ENDINGS = ("a", "e", "y", "i", "u", "ę", "ą", "ów", "om", "ami", "ach", "em", "ie", "ego", "emu")
SHORT_WORD = 3
# Prefixes a recogniser tends to hear as separate words, longest first.
PREFIXES = ("przy", "prze", "roz", "nie", "wy", "za", "po", "od", "do", "na", "u")
_DIGRAPH = re.compile(r"ch|cz|sz|rz|dz|dź|dż")


def is_placeholder(token: str) -> bool:
    """Whether a token is a redaction placeholder such as ``[PESEL]``."""
    return bool(_PLACEHOLDER.fullmatch(token))


def normalise(text: str) -> str:
    """Lower case, punctuation removed, single spaces; placeholders kept."""
    tokens: list[str] = []
    for part in _PLACEHOLDER_PART.split(text):
        if is_placeholder(part):
            tokens.append(part)
        else:
            tokens += _NOT_WORD.sub(" ", part.lower()).split()
    return " ".join(tokens)


def add_fillers(text: str, rng: random.Random, count: int) -> str:
    """Inserts ``count`` hesitation fillers at random word boundaries."""
    words = text.split()
    for _ in range(count):
        words.insert(rng.randint(0, len(words)), rng.choice(FILLERS))
    return " ".join(words)


def drop_diacritics(text: str) -> str:
    """Polish letters replaced by their plain forms, as some engines write; placeholders kept."""
    return " ".join(t if is_placeholder(t) else t.translate(_POLISH) for t in text.split())


def recognition_slips(text: str, rng: random.Random, count: int) -> str:
    """Applies ``count`` recognition errors: sound-alike spellings, a split or merged word, a
    wrong ending or a dropped short word. Longer words are hit more often (they carry the
    matter of the call more than short ones do)."""
    words = text.split()
    for _ in range(count):
        candidates = [i for i, w in enumerate(words) if not is_placeholder(w)]
        if not candidates:
            break
        index = rng.choices(candidates, weights=[len(words[i]) ** 2 for i in candidates])[0]
        kind = rng.choices(("sound", "split", "merge", "ending", "drop"), weights=(5, 2, 1, 3, 1))[
            0
        ]
        words = _slip(words, index, kind, rng)
    return " ".join(words)


def _slip(words: list[str], index: int, kind: str, rng: random.Random) -> list[str]:
    word = words[index]
    if kind == "sound":
        changed = sound_alike(word, rng)
        return [*words[:index], changed, *words[index + 1 :]]
    if kind == "split" and len(word) >= 7:
        return [*words[:index], *split_word(word, rng), *words[index + 1 :]]
    if kind == "merge" and index + 1 < len(words) and not is_placeholder(words[index + 1]):
        return [*words[:index], word + words[index + 1], *words[index + 2 :]]
    if kind == "ending" and len(word) >= 5:
        stem = word[: -rng.randint(1, 2)]
        return [*words[:index], stem + rng.choice(ENDINGS), *words[index + 1 :]]
    if kind == "drop":
        short = [i for i, w in enumerate(words) if len(w) <= SHORT_WORD and not is_placeholder(w)]
        if short and len(words) > 3:
            gone = rng.choice(short)
            return [*words[:gone], *words[gone + 1 :]]
    return [*words[:index], sound_alike(word, rng), *words[index + 1 :]]


def sound_alike(word: str, rng: random.Random) -> str:
    """One sound-alike spelling swap inside ``word`` (the word unchanged if none applies); a
    letter that is part of a digraph ("ch", "sz", ...) is only swapped as the whole digraph."""
    taken = {i for m in _DIGRAPH.finditer(word) for i in range(m.start(), m.end())}
    options: list[tuple[int, str, str]] = []
    for a, b in SOUND_ALIKES:
        for old, new in ((a, b), (b, a)):
            for m in re.finditer(re.escape(old), word):
                span = set(range(m.start(), m.end()))
                if len(old) == 1 and span & taken:
                    continue
                options.append((m.start(), old, new))
    if not options:
        return word
    at, old, new = rng.choice(options)
    return word[:at] + new + word[at + len(old) :]


def split_word(word: str, rng: random.Random) -> list[str]:
    """A long word heard as two: after a verbal or negating prefix when it has one
    ("za meldować", "nie ruchomości"), else at a random inner point."""
    for prefix in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4 and rng.random() < 0.7:
            return [prefix, word[len(prefix) :]]
    cut = rng.randint(2, len(word) - 3)
    return [word[:cut], word[cut:]]
