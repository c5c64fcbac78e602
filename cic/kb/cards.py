"""The service card ("karta usługi") of an article: the ``card:`` section of its front matter.

An article with a card is a public page of the portal's e-services catalogue; one without a
card stays internal (the console's knowledge base only). The card says, for a resident: what
the matter is (``summary``), what to bring (``documents``), the fees (``fees``), how long it
takes (``duration``), how to file it (``how_to_file``: ``osobiscie``, ``poczta``, ``epuap``),
online services elsewhere (``online``: gov.pl and the like), the blank forms to download
(``forms``: files under ``kb/formularze/``) and the legal basis (``legal_basis``).

Pure: no I/O. ``check_card`` is what the importer and console edits call; whether a form's
file exists is checked by the importer, which knows the folder.

The article's body is shown on the card too, without the sections meant for staff
(``INTERNAL_HEADINGS``, or any heading starting with "Wewnętrzne"): ``public_body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cic.kb.errors import InvalidArticle

#: How a matter can be filed: code -> what the card says.
FILING = {
    "osobiscie": "Osobiście w urzędzie",
    "poczta": "Pocztą — list na adres urzędu",
    "epuap": "Elektronicznie przez ePUAP (z podpisem zaufanym, osobistym lub kwalifikowanym)",
}
FIELDS = ("summary", "documents", "fees", "duration", "how_to_file", "online", "forms",
          "legal_basis")  # fmt: skip
#: A form's file name: letters, digits, hyphens, one dot and an allowed extension.
FORM_FILE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.(?:pdf|odt|docx|rtf|txt)$")
FORMS_DIR = "formularze"
MAX_TEXT, MAX_ITEMS = 2000, 30
#: Body sections written for staff, never shown publicly (headings compared in lower case).
INTERNAL_HEADINGS = frozenset({
    "wskazówki dla konsultanta", "co powiedzieć dzwoniącemu", "co zapisać w zgłoszeniu",
})  # fmt: skip
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")


@dataclass(frozen=True)
class CardForm:
    """A blank form to download: its file under ``kb/formularze/`` and its title."""

    file: str
    title: str


@dataclass(frozen=True)
class CardLink:
    """An online service elsewhere (gov.pl, a registry): its title and https address."""

    title: str
    url: str


@dataclass(frozen=True)
class Card:
    """A checked service card."""

    summary: str
    documents: tuple[str, ...]
    fees: str
    duration: str
    how_to_file: tuple[str, ...]
    online: tuple[CardLink, ...]
    forms: tuple[CardForm, ...]
    legal_basis: tuple[str, ...]

    def filing(self) -> list[tuple[str, str]]:
        """(code, label) of each way to file, in the order of ``FILING``."""
        return [(code, label) for code, label in FILING.items() if code in self.how_to_file]


def _text(card: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = card.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidArticle(f"Karta usługi: „{key}” musi być niepustym tekstem.")
    if len(value) > MAX_TEXT:
        raise InvalidArticle(f"Karta usługi: „{key}” jest za długie (do {MAX_TEXT} znaków).")
    return value.strip()


def _texts(card: dict[str, Any], key: str, *, required: bool = False) -> tuple[str, ...]:
    value = card.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() and len(v) <= MAX_TEXT for v in value
    ):
        raise InvalidArticle(f"Karta usługi: „{key}” musi być listą niepustych tekstów.")
    if len(value) > MAX_ITEMS or (required and not value):
        raise InvalidArticle(f"Karta usługi: „{key}” ma od 1 do {MAX_ITEMS} pozycji.")
    return tuple(v.strip() for v in value)


def _pairs(card: dict[str, Any], key: str, first: str, second: str) -> list[tuple[str, str]]:
    value = card.get(key, [])
    where = f"Karta usługi: „{key}”"
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise InvalidArticle(f"{where} musi być listą (do {MAX_ITEMS}) pozycji {first}/{second}.")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {first, second}:
            raise InvalidArticle(f"{where}: każda pozycja ma dokładnie pola {first} i {second}.")
        a, b = item[first], item[second]
        if not (isinstance(a, str) and a.strip() and isinstance(b, str) and b.strip()):
            raise InvalidArticle(f"{where}: {first} i {second} to niepuste teksty.")
        out.append((a.strip(), b.strip()))
    return out


def check_card(card: object) -> Card:
    """The checked card, or ``InvalidArticle`` saying which field is wrong and how."""
    if not isinstance(card, dict):
        raise InvalidArticle("„card” (karta usługi) musi być słownikiem pól.")
    unknown = sorted(set(card) - set(FIELDS))
    if unknown:
        raise InvalidArticle(
            f"Karta usługi: nieznane pola {', '.join(unknown)} (dozwolone: {', '.join(FIELDS)})."
        )
    how = _texts(card, "how_to_file", required=True)
    wrong = [h for h in how if h not in FILING]
    if wrong or len(set(how)) != len(how):
        raise InvalidArticle(
            f"Karta usługi: „how_to_file” to lista bez powtórzeń z: {', '.join(FILING)}."
        )
    forms = []
    for file, title in _pairs(card, "forms", "file", "title"):
        if not FORM_FILE.match(file) or len(file) > 120:
            raise InvalidArticle(
                f"Karta usługi: plik formularza {file!r} — małe litery, cyfry i myślniki,"
                " rozszerzenie pdf, odt, docx, rtf albo txt, np. wniosek-o-zaswiadczenie.pdf."
            )
        forms.append(CardForm(file, title))
    online = []
    for title, url in _pairs(card, "online", "title", "url"):
        if not url.startswith("https://") or any(c.isspace() for c in url) or len(url) > 500:
            raise InvalidArticle(f"Karta usługi: adres {url!r} w „online” zaczyna się od https://.")
        online.append(CardLink(title, url))
    return Card(
        summary=_text(card, "summary"),
        documents=_texts(card, "documents"),
        fees=_text(card, "fees"),
        duration=_text(card, "duration"),
        how_to_file=how,
        online=tuple(online),
        forms=tuple(forms),
        legal_basis=_texts(card, "legal_basis", required=True),
    )


def card_of(front: dict[str, Any]) -> Card | None:
    """The card of an article's (already checked) front matter, or ``None`` without one."""
    card = front.get("card")
    return None if card is None else check_card(card)


def _plain(heading: str) -> str:
    return heading.strip().strip("*_").strip().lower()


def is_internal(heading: str) -> bool:
    """True for a body section meant for staff only."""
    text = _plain(heading)
    return text in INTERNAL_HEADINGS or text.startswith("wewnętrzne")


def public_body(markdown: str, omit: frozenset[str] = frozenset()) -> str:
    """The body without its internal sections and those headed by one of ``omit`` (lower
    case; each section runs to the next heading of its level or higher)."""
    kept: list[str] = []
    skip_level = 0
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is not None:
            level = len(heading.group(1))
            if skip_level and level <= skip_level:
                skip_level = 0
            title = heading.group(2)
            if not skip_level and (is_internal(title) or _plain(title) in omit):
                skip_level = level
        if not skip_level:
            kept.append(line)
    return "\n".join(kept).strip() + "\n"
