"""Attachments of an incoming message: safe names, what the bytes really are, and the office's
limits (size, count, kinds). A refused attachment keeps its name, size and checksum for the
record, never its content."""

from __future__ import annotations

import hashlib
import math
import posixpath
import unicodedata
from dataclasses import dataclass, field

from cic.mail import filetypes as ft
from cic.mail.headers import no_surrogates

MB = 1024 * 1024
MAX_FILENAME = 200
#: Characters Windows refuses in file names (``:`` would also name an NTFS stream).
_WINDOWS_RESERVED = frozenset('<>:"|?*')
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "application/unknown", "binary/octet-stream"}
)

#: Refused by name whatever the bytes look like: everything Windows runs or installs on a
#: double click. Disk images (iso, img, vhd) are in because Windows mounts them with a double
#: click and the files inside lose the "downloaded from the internet" mark; malware campaigns
#: have shipped in them since 2022, and residents have no reason to send one to the office.
BLOCKED_EXTENSIONS = frozenset(
    "exe bat cmd com scr pif js jse vbs vbe wsf wsh ps1 psm1 msi msp jar lnk hta cpl reg dll"
    " iso img vhd vhdx appx msix application gadget inf scf url".split()
)

#: Kinds whose files always start with their signature: a "PDF" that does not is something else.
_SIGNED_KINDS = frozenset(
    {ft.PDF, "image/jpeg", "image/png", "image/gif", ft.DOC, ft.XLS, ft.DOCX, ft.XLSX, ft.ODT,
     ft.ODS}
)  # fmt: skip

#: What residents send an office: scans and photos, office documents, text, and the
#: signature files of Polish e-administration (XAdES ``.xml``/``.xades``, ``.sig``, ``.p7s``).
#: Archives are not in: we do not unpack them (zip bombs), so we could not see what is inside.
ALLOWED_TYPES = _SIGNED_KINDS | frozenset(
    {"image/tiff", "image/bmp", "image/webp", "image/heic", "image/avif", "text/plain",
     "text/csv", "application/rtf", "text/rtf", "application/xml", "text/xml",
     "application/pkcs7-signature", "application/x-pkcs7-signature"}
)  # fmt: skip

#: The type a name stands for when the sender declared none (or only "octet-stream").
EXTENSION_TYPES = {
    "pdf": ft.PDF, "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
    "gif": "image/gif", "tif": "image/tiff", "tiff": "image/tiff", "bmp": "image/bmp",
    "webp": "image/webp", "heic": "image/heic", "heif": "image/heic", "doc": ft.DOC,
    "xls": ft.XLS, "docx": ft.DOCX, "xlsx": ft.XLSX, "odt": ft.ODT, "ods": ft.ODS,
    "txt": "text/plain", "csv": "text/csv", "rtf": "application/rtf", "xml": "application/xml",
    "xades": "application/xml", "sig": "application/pkcs7-signature",
    "p7s": "application/pkcs7-signature", "eml": "message/rfc822", "html": "text/html",
    "htm": "text/html", "zip": ft.ZIP,
}  # fmt: skip
_OLE2_BY_EXTENSION = {"doc": ft.DOC, "xls": ft.XLS, "dot": ft.DOC, "xlt": ft.XLS}


@dataclass(frozen=True)
class AttachmentLimits:
    """What the office accepts in one message."""

    max_bytes: int = 25 * MB
    max_total_bytes: int = 50 * MB
    max_count: int = 20
    blocked_extensions: frozenset[str] = BLOCKED_EXTENSIONS
    allowed_types: frozenset[str] = ALLOWED_TYPES


@dataclass(frozen=True)
class ParsedAttachment:
    """One attachment; ``data`` is ``None`` and ``rejected`` says why (in Polish) when refused."""

    filename: str
    content_type: str
    detected_type: str
    size: int
    sha256: str
    data: bytes | None
    rejected: str
    inline: bool
    #: The Content-ID without brackets, for ``cid:`` images in the HTML ("" if none).
    content_id: str = field(default="")


def safe_filename(name: str, index: int, content_type: str = "") -> str:
    """``name`` as a file name that cannot escape a folder or fool a reader: no path parts,
    control or direction-override characters, at most 200 characters; when nothing is left,
    ``zalacznik-<index>.<ext>``."""
    name = unicodedata.normalize("NFC", no_surrogates(name)).replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(
        "_" if ch in _WINDOWS_RESERVED else ch for ch in name if unicodedata.category(ch)[0] != "C"
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        suffix = next((e for e, t in EXTENSION_TYPES.items() if t == content_type), "bin")
        return f"zalacznik-{index}.{suffix}"
    if len(name) > MAX_FILENAME:
        keep = extension(name)[:16]
        name = name[: MAX_FILENAME - len(keep) - 1].rstrip(" .") + ("." + keep if keep else "")
    return name


def extension(filename: str) -> str:
    """The last dotted suffix of ``filename``, lowercased: the one Windows goes by
    (``faktura.pdf.exe`` is an ``exe``)."""
    stem, dot, suffix = filename.rpartition(".")
    return suffix.strip().lower() if dot and stem else ""


def format_mb(size: int) -> str:
    """A size in MB the Polish way, rounded up to a tenth (``25,1 MB``)."""
    tenths = math.ceil(size * 10 / MB)
    whole, tenth = divmod(tenths, 10)
    return f"{whole} MB" if not tenth else f"{whole},{tenth} MB"


class AttachmentGate:
    """Checks the attachments of one message in order, against the limits, counting them."""

    def __init__(self, limits: AttachmentLimits) -> None:
        self.limits = limits
        self.count = 0
        self.total = 0

    def admit(self, filename: str, declared: str, data: bytes, *, inline: bool,
              content_id: str = "") -> ParsedAttachment:  # fmt: skip
        """The attachment record for ``data``; its content is kept only when it passes."""
        self.count += 1
        filename = safe_filename(filename, self.count, declared)
        detected = ft.detect_type(data)
        reason = self._refusal(filename, declared, detected, len(data))
        if not reason:
            self.total += len(data)
        return ParsedAttachment(
            filename=filename,
            content_type=declared,
            detected_type=detected,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=None if reason else data,
            rejected=reason,
            inline=inline,
            content_id=content_id,
        )

    def _refusal(self, filename: str, declared: str, detected: str, size: int) -> str:
        limits = self.limits
        suffix = extension(filename)
        if self.count > limits.max_count:
            return f"za dużo załączników (limit {limits.max_count})"
        if detected in ft.EXECUTABLE_TYPES:
            return "plik wykonywalny"
        if suffix in limits.blocked_extensions:
            return f"niedozwolony rodzaj pliku (.{suffix})"
        if size > limits.max_bytes:
            return f"za duży ({format_mb(size)}, limit {format_mb(limits.max_bytes)})"
        if self.total + size > limits.max_total_bytes:
            return f"przekroczony łączny limit załączników ({format_mb(limits.max_total_bytes)})"
        kind = _effective_type(detected, declared, suffix)
        if kind not in limits.allowed_types:
            return f"niedozwolony typ ({kind or 'nieznany'})"
        if not detected and kind in _SIGNED_KINDS:
            return f"treść nie jest tym, czym się przedstawia ({kind})"
        return ""


def _effective_type(detected: str, declared: str, suffix: str) -> str:
    """What the file is taken to be: the bytes first; an OLE2 file by its name (a Word or
    Excel file, or an installer, look the same); then the declared type; then the name."""
    if detected == ft.OLE2:
        return _OLE2_BY_EXTENSION.get(suffix, ft.OLE2)
    if detected:
        return detected
    if declared not in GENERIC_TYPES:
        return declared
    return EXTENSION_TYPES.get(suffix, declared or "application/octet-stream")
