"""Polish phone numbers a callback may go to: nine national digits, no premium-rate lines."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
# 70x are premium-rate lines, 80x free-phone and shared-cost lines: never call back there.
_REFUSED_PREFIXES = ("70", "80")


def national_number(raw: str) -> str | None:
    """The nine-digit national number in ``raw`` (+48…, 0048…, 48…, 0…), or ``None``.

    ``None`` for anything that is not a plain Polish number a resident can be called on.
    """
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+"):
        text = text[1:]
    if not text.isascii() or not text.isdigit():
        return None
    if text.startswith("0048"):
        text = text[4:]
    elif text.startswith("48") and len(text) == 11:
        text = text[2:]
    elif text.startswith("0") and len(text) == 10:
        text = text[1:]
    if len(text) != 9 or text[0] == "0" or text.startswith(_REFUSED_PREFIXES):
        return None
    return text


def spoken_groups(number: str) -> str:
    """The number grouped as it is read back on the phone: ``500 100 301``."""
    return " ".join(number[i : i + 3] for i in range(0, len(number), 3))
