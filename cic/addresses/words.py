"""How addresses are compared: case, Polish letters, punctuation and the street prefixes
("ul.", "al.", "os.", "pl.") do not matter, so "UL. LIPOWA 5, Dębówka" is "lipowa 5 debowka"."""

from __future__ import annotations

import re
import unicodedata

#: Street-type words dropped before comparing (the register writes the name without them).
PREFIXES = frozenset({
    "ul", "ulica", "al", "aleja", "aleje", "os", "osiedle", "pl", "plac", "rondo", "skwer",
})  # fmt: skip
#: Words that only announce the number ("nr 12").
FILLERS = frozenset({"nr", "numer"})
_LETTERS = str.maketrans({"ł": "l", "Ł": "l"})
#: What a typed address may carry that the register has not: a postcode, a flat ("m. 3").
_EXTRAS = re.compile(r"\b\d{2}-\d{3}\b|\b(?:m|lok|lokal|mieszkanie)\.?\s*\d+[a-z]?\b", re.I)
_NOT_WORD = re.compile(r"[^0-9a-z/]+")
NUMBER = re.compile(r"^\d{1,5}[a-z]?(?:/\d{1,5}[a-z]?)?$")


def fold(text: str) -> str:
    """Lower case, no diacritics, words of letters and digits separated by one space."""
    plain = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def words(text: str) -> list[str]:
    """The folded words of ``text`` without the street-type prefixes, "nr", a postcode or a
    flat number."""
    plain = fold(_EXTRAS.sub(" ", text).replace(".", " "))
    return [w for w in plain.split() if w not in PREFIXES and w not in FILLERS]


def house_number(text: str) -> str:
    """A building number as compared: folded, without a flat number ("12A/3" → "12a")."""
    return fold(text).replace(" ", "").split("/")[0]
