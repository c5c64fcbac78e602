"""The XML form of the dues file (``FORMAT.md``): ``<naleznosci>`` holding ``<pozycja>``
elements whose child elements are the CSV's columns.

Parsed with ``defusedxml``'s SAX parser (no DTD, no entities: no "billion laughs" and no
external files); each ``<pozycja>`` keeps the line it starts on for the report. The text is
decoded first (the declared encoding, UTF-8 or windows-1250; undeclared: UTF-8, else
windows-1250), so both single-byte and UTF-8 files read the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from cic.dues.errors import ImportRefused
from cic.dues.rows import Record

ROOT, ITEM = "naleznosci", "pozycja"
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_KNOWN = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1250": "windows-1250",
          "cp1250": "windows-1250"}  # fmt: skip


class _Items(ContentHandler):
    """Collects each ``<pozycja>``'s fields (element name -> text) with its first line."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[Record] = []
        self.depth = 0
        self.locator: Locator | None = None
        self._line = 0
        self._fields: dict[str, str] = {}
        self._problems: list[str] = []
        self._text: list[str] = []

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def _where(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        self.depth += 1
        if self.depth == 1 and name != ROOT:
            raise ImportRefused(f"Główny element pliku XML to <{ROOT}>, a nie <{name}>.")
        if self.depth == 2:
            self._line, self._fields, self._problems = self._where(), {}, []
            if name != ITEM:
                self._problems.append(f"element <{name}> zamiast <{ITEM}>")
        elif self.depth == 3:
            self._text = []
        elif self.depth > 3:
            self._problems.append(f"pole z elementem <{name}> w środku")

    def characters(self, content: str) -> None:
        if self.depth == 3:
            self._text.append(content)

    def endElement(self, name: str) -> None:
        if self.depth == 3:
            if name in self._fields:
                self._problems.append(f"pole „{name}” powtórzone")
            self._fields[name] = "".join(self._text)
        elif self.depth == 2:
            self.records.append(Record(self._line, self._fields, "; ".join(self._problems)))
        self.depth -= 1


def read_xml(data: bytes, decode: Callable[[bytes, str], tuple[str, str]]) -> tuple[
    list[Record], str
]:  # fmt: skip
    """The records of the XML file ``data`` and its encoding; ``decode(data, declared)``
    turns the bytes into text (``ImportRefused`` when it cannot)."""
    declaration = _DECLARATION.match(data)
    declared = ""
    if declaration and (found := _ENCODING.search(declaration.group(0))):
        name = found.group(1).decode("ascii").lower()
        if name not in _KNOWN:
            raise ImportRefused(f"Kodowanie {name} nieobsługiwane: zapisz plik w UTF-8.")
        declared = _KNOWN[name]
    body = data[declaration.end() :] if declaration else data
    text, encoding = decode(body, declared)
    handler = _Items()
    try:
        defusedxml.sax.parseString(text.encode("utf-8"), handler, forbid_dtd=True)
    except SAXParseException as exc:
        line = (exc.getLineNumber() or 0) + (
            data[: declaration.end()].count(b"\n") if declaration else 0
        )
        raise ImportRefused(
            f"Plik XML jest uszkodzony (wiersz {line}): {exc.getMessage()}."
        ) from exc
    except DefusedXmlException as exc:
        raise ImportRefused("Plik XML nie może zawierać DTD ani encji.") from exc
    return handler.records, encoding
