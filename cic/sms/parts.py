"""How many SMS parts a text takes: GSM 03.38 (7-bit) when every character is in the GSM
alphabet (characters of its extension table count twice), else UCS-2, which Polish letters
with diacritics (ą, ć, ę, ł, ń, ó, ś, ź, ż) force.

One part holds 160 GSM characters or 70 UCS-2 units; a concatenated message loses room to
its header: 153 and 67 per part.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Parts:
    """``encoding`` (``gsm`` or ``ucs2``), ``units`` (septets or UTF-16 units) and ``count``."""

    encoding: str
    units: int
    count: int


def count_parts(text: str) -> Parts:
    """The encoding and number of parts ``text`` takes (an empty text: one part)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        units = sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "gsm"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "ucs2"
    count = 1 if units <= single else -(-units // multi)
    return Parts(encoding, units, count)
