"""Documents editors upload to a consultation: the kind found from the content's magic bytes
(the ``filetype`` library; the browser's name and type are not trusted), and the safe file
name a download is offered under.

Accepted: PDF, ODT, DOCX, XLSX, PNG and JPEG. The stored name is made from the uploaded one's
last path part only, folded to ASCII letters, digits, ``-`` and ``_``, with the extension of
the kind found, so ``../../etc/passwd`` becomes ``passwd.pdf`` and never names a place on disk
(the content itself lives in a content-addressed store, named by its SHA-256).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

import filetype

#: extension -> media type of the kinds accepted.
KINDS = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
KIND_LABELS = {"pdf": "PDF", "odt": "ODT", "docx": "DOCX", "xlsx": "XLSX", "png": "PNG",
               "jpg": "JPG"}  # fmt: skip
MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_POLISH = str.maketrans("łŁ", "lL")


@dataclass(frozen=True)
class Kind:
    """A file kind found in the content: its extension and media type."""

    extension: str
    media_type: str


def kind_of(data: bytes) -> Kind | None:
    """The accepted kind ``data`` is, by its magic bytes (None: not one we take)."""
    found = filetype.guess(data[:8192] if not data.startswith(b"PK") else data)
    if found is None:
        return None
    extension = str(found.extension)
    if extension not in KINDS:
        return None
    return Kind(extension, KINDS[extension])


def safe_filename(uploaded: str, kind: Kind, fallback: str = "dokument") -> str:
    """A download name from the uploaded name's last path part (both ``/`` and ``\\``, also
    percent-encoded), in ASCII, its extension replaced by ``kind``'s; ``fallback`` when
    nothing of it is left."""
    last = re.split(r"[/\\]", unquote(uploaded))[-1]
    stem = _EXTENSION.sub("", last)
    cleaned = _UNSAFE.sub("-", fold_ascii(stem)).strip("-_")[:MAX_STEM].strip("-_")
    return f"{cleaned or fallback}.{kind.extension}"


def fold_ascii(text: str) -> str:
    """``text`` with Polish (and other) letters folded to ASCII: "Łąka" -> "Laka"."""
    normal = unicodedata.normalize("NFKD", text.translate(_POLISH))
    return normal.encode("ascii", "ignore").decode("ascii")
