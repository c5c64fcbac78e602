"""Phone numbers of residents in one canonical form, and the spellings calls arrive with.

Asterisk reports a caller as the trunk delivers it: ``+48600100200``, ``48600100200``,
``0048600100200``, ``600100200`` or ``0600100200`` are the same Polish number. Residents'
numbers are kept canonical (``+48`` and nine digits; ``+`` and the digits for a foreign
number) and calls are matched on every spelling.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-().]")
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "unavailable",
                      "withheld"})  # fmt: skip


def canonical_number(raw: str) -> str | None:
    """``+48XXXXXXXXX`` for a Polish number, ``+<digits>`` for a foreign one, else ``None``."""
    text = _SEPARATORS.sub("", raw or "")
    if text.lower() in WITHHELD or len(text) > 20:
        return None
    international = text.startswith("+") or text.startswith("00")
    digits = text[1:] if text.startswith("+") else text[2:] if text.startswith("00") else text
    if not digits.isascii() or not digits.isdigit():
        return None
    if international or (digits.startswith("48") and len(digits) == 11):
        if digits.startswith("48"):
            national = digits[2:]
            return f"+48{national}" if _polish(national) else None
        return f"+{digits}" if 7 <= len(digits) <= 15 else None
    if len(digits) == 10 and digits.startswith("0"):
        digits = digits[1:]
    return f"+48{digits}" if _polish(digits) else None


def _polish(national: str) -> bool:
    return len(national) == 9 and national[0] != "0"


def spellings(canonical: str) -> list[str]:
    """Every form a call from ``canonical`` may carry as its caller number."""
    if canonical.startswith("+48") and len(canonical) == 12:
        national = canonical[3:]
        return [canonical, f"48{national}", f"0048{national}", national, f"0{national}"]
    digits = canonical.lstrip("+")
    return [canonical, digits, f"00{digits}"]
