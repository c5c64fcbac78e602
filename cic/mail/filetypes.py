"""What a file really is, from its first bytes: a small table of signatures (no libmagic).

Only the kinds that matter for accepting an attachment are told apart: documents and images
residents send, containers we do not open, and anything that runs (executables and scripts).
"""

from __future__ import annotations

import re

PDF = "application/pdf"
ZIP = "application/zip"
OLE2 = "application/x-ole-storage"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PE = "application/x-msdownload"
ELF = "application/x-executable"
MACHO = "application/x-mach-binary"
SCRIPT = "text/x-script"
LNK = "application/x-ms-shortcut"

#: Kinds that run when opened: refused whatever the name or declared type says.
EXECUTABLE_TYPES = frozenset({PE, ELF, MACHO, SCRIPT, LNK})

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"{\\rtf", "application/rtf"),
    (b"MZ", PE),
    (b"\x7fELF", ELF),
    (b"\xfe\xed\xfa\xce", MACHO),
    (b"\xfe\xed\xfa\xcf", MACHO),
    (b"\xce\xfa\xed\xfe", MACHO),
    (b"\xcf\xfa\xed\xfe", MACHO),
    # Also Java class files; both run, so one name will do.
    (b"\xca\xfe\xba\xbe", MACHO),
    (b"#!", SCRIPT),
    (b"L\x00\x00\x00\x01\x14\x02\x00", LNK),
)
_ISO_BMFF = re.compile(rb"^....ftyp(heic|heix|mif1|msf1|avif)", re.DOTALL)
_UTF8_BOM = b"\xef\xbb\xbf"


def detect_type(data: bytes) -> str:
    """The media type the bytes themselves show, or ``""`` when the table does not know them.

    Executables are looked for first: a file that starts like one runs like one, whatever
    else (a PDF header, say) it carries further on.
    """
    start = data[:4096]
    if start.startswith(_UTF8_BOM):
        start = start[len(_UTF8_BOM) :]
    head = start[:64]
    for signature, kind in _SIGNATURES:
        if kind in EXECUTABLE_TYPES and data.startswith(signature):
            return kind
    # Readers accept a PDF header anywhere in the first kilobyte, so malware puts junk first.
    if b"%PDF-" in data[:1024]:
        return PDF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    match = _ISO_BMFF.match(head)
    if match:
        return "image/avif" if match.group(1) == b"avif" else "image/heic"
    markup = start.lstrip().lower()
    if markup.startswith((b"<?xml", b"<svg")) and b"<svg" in markup:
        return "image/svg+xml"
    if markup.startswith(b"<?xml"):
        return "application/xml"
    if markup.startswith((b"<!doctype html", b"<html", b"<script")):
        return "text/html"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return _zip_kind(data) if kind == ZIP else kind
    return ""


def _zip_kind(data: bytes) -> str:
    """An Office or OpenDocument file inside a ZIP container, else plain ZIP.

    OpenDocument stores its type uncompressed as the first member, ``mimetype``; OOXML names
    its parts in the local headers and the central directory, which are never compressed.
    """
    if data[30:38] == b"mimetype":
        declared = data[38:120]
        for kind in (ODT, ODS):
            if declared.startswith(kind.encode()):
                return kind
    if b"[Content_Types].xml" in data:
        for marker, kind in ((b"word/", DOCX), (b"xl/", XLSX), (b"ppt/", PPTX)):
            if marker in data:
                return kind
    return ZIP
