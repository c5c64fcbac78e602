"""The body of an incoming message: its text, its HTML and its attachments, read from the MIME
tree within limits (depth, number of parts), every stdlib call guarded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from cic.mail.attachments import AttachmentGate, AttachmentLimits, ParsedAttachment
from cic.mail.headers import MAX_SUBJECT, Headers, addresses, clean_line, clean_text, decode_words
from cic.mail.sanitize import html_to_text, sanitize_html

MAX_DEPTH = 20
MAX_PARTS = 500
MAX_TYPE = 100
FORWARDED = "---------- Wiadomość przekazana ----------"

_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_CHARSET = re.compile(r"[a-z0-9_.:-]{1,40}")
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I
)
_LEGACY = "cp1250"  # what Polish mail without a charset most often is when it is not UTF-8

#: The stdlib's parser defects, said in Polish (the rest by their class name).
DEFECTS = {
    "NoBoundaryInMultipartDefect": "część wieloczęściowa bez granicy (boundary)",
    "StartBoundaryNotFoundDefect": "nie znaleziono granicy części wieloczęściowej",
    "CloseBoundaryNotFoundDefect": "brak końcowej granicy części (wiadomość może być ucięta)",
    "FirstHeaderLineIsContinuationDefect": "pierwszy wiersz nagłówków jest kontynuacją",
    "MisplacedEnvelopeHeaderDefect": "nagłówek koperty (From ) w złym miejscu",
    "MissingHeaderBodySeparatorDefect": "brak pustego wiersza między nagłówkami a treścią",
    "MultipartInvariantViolationDefect": "niespójna struktura wieloczęściowa",
    "InvalidMultipartContentTransferEncodingDefect": "niedozwolone kodowanie części złożonej",
    "UndecodableBytesDefect": "niedekodowalne bajty w nagłówku",
    "InvalidBase64PaddingDefect": "niepoprawne dopełnienie danych base64",
    "InvalidBase64CharactersDefect": "niedozwolone znaki w danych base64",
    "InvalidBase64LengthDefect": "niepoprawna długość danych base64",
    "InvalidHeaderDefect": "niepoprawny nagłówek",
    "HeaderMissingRequiredValue": "nagłówek bez wymaganej wartości",
    "NonPrintableDefect": "niedrukowalne znaki w nagłówku",
    "CharsetError": "nieznany zestaw znaków",
}
#: Obsolete but harmless syntax (old date formats and the like): common, not worth a word.
_IGNORED = frozenset({"ObsoleteHeaderDefect"})


@dataclass(frozen=True)
class Body:
    """Text and sanitised HTML of one part; ``plain`` when the text came from text/plain."""

    text: str = ""
    html: str = ""
    plain: bool = False


class BodyWalker:
    """Walks one message's MIME tree once, collecting attachments and defects."""

    def __init__(self, limits: AttachmentLimits) -> None:
        self.gate = AttachmentGate(limits)
        self.attachments: list[ParsedAttachment] = []
        self.defects: list[str] = []
        self.parts = 0

    def walk(self, message: Message) -> Body:
        """The text and HTML a reader of ``message`` sees (HTML-only mail gets its text from
        the HTML); attachments land in :attr:`attachments`."""
        return self._part(message, 0)

    def _part(self, part: Message, depth: int) -> Body:
        self.parts += 1
        if self.parts > MAX_PARTS:
            self._note(f"ponad {MAX_PARTS} części MIME; dalsze pominięto")
            return Body()
        try:
            return self._read(part, depth)
        finally:
            self._collect(part)

    def _read(self, part: Message, depth: int) -> Body:
        kind = _content_type(part)
        children = _children(part)
        if children is None:
            return self._leaf(part, kind)
        if depth >= MAX_DEPTH:
            self._note(f"części zagnieżdżone głębiej niż {MAX_DEPTH} poziomów pominięto")
            return Body()
        if kind == "message/delivery-status":
            lines = (f"{n}: {v}" for block in children for n, v in Headers.of(block).pairs())
            return Body(clean_text("\n".join(lines)), "", True)
        if kind.startswith("message/"):
            return self._forwarded(children[0], depth + 1) if children else Body()
        bodies = [self._part(child, depth + 1) for child in children]
        if kind == "multipart/alternative":
            return _alternative(bodies)
        return Body(
            "\n\n".join(b.text for b in bodies if b.text),
            "\n".join(b.html for b in bodies if b.html),
            any(b.plain for b in bodies),
        )

    def _forwarded(self, inner: Message, depth: int) -> Body:
        """A message inside this one (forwarded as an attachment), shown inline after a line
        saying whose it is; its attachments are checked like the others."""
        headers = Headers.of(inner)
        sender = addresses(headers.all("from"))
        subject, _ = decode_words(headers.first("subject"))
        block = [
            FORWARDED,
            f"Od: {sender[0][1] if sender else ''}",
            f"Data: {clean_line(headers.first('date'), 100)}",
            f"Temat: {clean_line(subject, MAX_SUBJECT)}",
        ]
        body = self._part(inner, depth)
        return Body("\n".join(block) + "\n\n" + body.text, body.html, True)

    def _leaf(self, part: Message, kind: str) -> Body:
        filename, disposition, content_id = _naming(part)
        data = _payload(part)
        if kind in {"text/plain", "text/html"} and disposition != "attachment" and not filename:
            text = self._decode(data, _charset(part), kind)
            if kind == "text/html":
                return Body(html_to_text(text), sanitize_html(text), False)
            return Body(text, "", True)
        if kind.startswith(("multipart/", "message/")):
            # A container the parser could not split (no boundary): its text, as it is.
            return Body(self._decode(data, None, "text/plain"), "", True)
        inline = disposition == "inline" or bool(content_id)
        self.attachments.append(
            self.gate.admit(filename, kind, data, inline=inline, content_id=content_id)
        )
        return Body()

    def _decode(self, data: bytes, charset: str | None, kind: str) -> str:
        """Bytes of a text part as text: the declared charset, else UTF-8, else Windows-1250."""
        if not charset and kind == "text/html":
            meta = _META_CHARSET.search(data[:4096])
            charset = meta.group(1).decode("ascii").lower() if meta else None
        if charset and _CHARSET.fullmatch(charset):
            try:
                return clean_text(data.decode(charset))
            except LookupError:
                self._note(f"nieznany zestaw znaków „{charset}”")
            except (ValueError, TypeError):
                self._note(f"treść nie zgadza się z zestawem znaków „{charset}”")
        elif charset:
            self._note("niepoprawna nazwa zestawu znaków")
        try:
            return clean_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            if not charset:
                self._note("treść bez deklaracji zestawu znaków; odczytano jako Windows-1250")
            return clean_text(data.decode(_LEGACY, "replace"))

    def _note(self, defect: str) -> None:
        if defect not in self.defects:
            self.defects.append(defect)

    def _collect(self, part: Message) -> None:
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__
            if name not in _IGNORED:
                self._note(DEFECTS.get(name, f"błąd struktury wiadomości ({name})"))


def _alternative(bodies: list[Body]) -> Body:
    """One of the versions: the plain text when there is one, the richest (last) HTML."""
    texts = [b for b in bodies if b.text]
    text = next((b for b in texts if b.plain), texts[0] if texts else Body())
    html = next((b.html for b in reversed(bodies) if b.html), "")
    return Body(text.text, html, text.plain)


def _children(part: Message) -> list[Message] | None:
    """The sub-parts, or ``None`` for a leaf."""
    try:
        if not part.is_multipart():
            return None
        payload = part.get_payload()
    except Exception:
        return None
    if not isinstance(payload, list):
        return None
    return [p for p in payload if isinstance(p, Message)]


def _content_type(part: Message) -> str:
    try:
        kind = part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"
    return kind if len(kind) <= MAX_TYPE and _TYPE.fullmatch(kind) else "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        return None
    return charset.strip().strip("\"'").lower() if isinstance(charset, str) else None


def _naming(part: Message) -> tuple[str, str, str]:
    """File name (RFC 2231 or 2047 decoded), disposition and Content-ID of a part."""
    try:
        filename = part.get_filename() or ""
        if "=?" in filename:
            filename, _ = decode_words(filename)
    except Exception:
        filename = ""
    try:
        disposition = part.get_content_disposition() or ""
    except Exception:
        disposition = ""
    content_id = clean_line(Headers.of(part).first("content-id"), 300).strip("<>")
    return str(filename), str(disposition).lower(), content_id


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""
