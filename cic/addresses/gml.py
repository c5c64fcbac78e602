"""The GML form of PRG "punkty adresowe" (the 2012 model GUGiK publishes, ``prg-ad``):
each ``PRG_PunktAdresowy`` feature with ``miejscowosc``, ``ulica``, ``numerPorzadkowy``,
``kodPocztowy``, ``status``, the identifier's ``lokalnyId`` and ``pozycja/Point/pos`` ("x y"
in EPSG:2180).

Parsed with ``defusedxml``'s SAX parser (no DTD, no entities, no external files), element
names compared without their namespace prefix; each feature keeps the line it starts on.
"""

from __future__ import annotations

import io
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from cic.addresses.errors import ImportRefused

FEATURE = "PRG_PunktAdresowy"
#: Element (local name) → the CSV column it stands for.
FIELDS = {
    "miejscowosc": "miejscowosc", "ulica": "ulica", "numerPorzadkowy": "numerPorzadkowy",
    "kodPocztowy": "kodPocztowy", "status": "status", "lokalnyId": "idIIP",
}  # fmt: skip
HEADER = [*FIELDS.values(), "x", "y"]


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class _Features(ContentHandler):
    """Collects each feature's fields as a CSV-like record, with its first line."""

    def __init__(self, max_rows: int) -> None:
        super().__init__()
        self.max_rows = max_rows
        self.records: list[tuple[int, list[str]]] = []
        self.locator: Locator | None = None
        self._fields: dict[str, str] | None = None
        self._line = 0
        self._text: list[str] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        """Keep the locator for line numbers."""
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        """A feature starts a record; any other element starts collecting its text."""
        if _local(name) == FEATURE:
            if len(self.records) >= self.max_rows:
                raise ImportRefused(f"Za dużo punktów adresowych (najwyżej {self.max_rows}).")
            self._fields = {}
            self._line = (self.locator.getLineNumber() or 0) if self.locator else 0
        self._text = []

    def characters(self, content: str) -> None:
        """Text of the current element."""
        self._text.append(content)

    def endElement(self, name: str) -> None:
        """A field's text goes to its column; the feature's end closes the record."""
        local = _local(name)
        if self._fields is None:
            return
        if local == FEATURE:
            x, _, y = self._fields.pop("pos", "").strip().partition(" ")
            self.records.append(
                (self._line, [*(self._fields.get(c, "") for c in FIELDS.values()), x, y.strip()])
            )
            self._fields = None
        elif local in FIELDS and FIELDS[local] not in self._fields:
            self._fields[FIELDS[local]] = "".join(self._text).strip()
        elif local == "pos":
            self._fields["pos"] = " ".join("".join(self._text).split())
        self._text = []


def read(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    """The features as ``(line, record)`` in the CSV's columns (``HEADER``)."""
    handler = _Features(max_rows)
    try:
        defusedxml.sax.parse(io.BytesIO(data), handler)
    except SAXParseException as exc:
        raise ImportRefused(
            f"Niepoprawny plik GML (wiersz {exc.getLineNumber()}): {exc.getMessage()}."
        ) from None
    except DefusedXmlException:
        raise ImportRefused("Plik GML z deklaracją DTD lub encjami jest odrzucany.") from None
    if not handler.records:
        raise ImportRefused(f"W pliku GML nie ma obiektów {FEATURE}.")
    return handler.records
