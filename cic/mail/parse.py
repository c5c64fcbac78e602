"""An incoming e-mail parsed safely into what the contact centre shows and stores.

:func:`parse_message` never raises: hostile or broken mail (malformed MIME, unknown charsets,
huge or executable attachments, script in HTML, deep nesting, random bytes) gives a
:class:`ParsedMail` whose ``defects`` say what was wrong, and at worst ``unparseable`` with the
raw bytes decoded as text. Nothing here does I/O.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from cic.mail.attachments import AttachmentLimits, ParsedAttachment
from cic.mail.auto import classify, is_no_reply_address, sender_check
from cic.mail.body import BodyWalker
from cic.mail.headers import (
    MAX_SUBJECT,
    Headers,
    addresses,
    clean_line,
    clean_text,
    decode_words,
    message_ids,
    parse_date,
)

__all__ = [
    "AttachmentLimits",
    "ParsedAttachment",
    "ParsedMail",
    "is_no_reply_address",
    "parse_message",
]

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1_000_000
MAX_RAW_VIEW = 200_000
MAX_REFERENCES = 100
MAX_DEFECTS = 50
SYNTHETIC_ID_DOMAIN = "brak-message-id.cic"


@dataclass(frozen=True)
class ParsedMail:
    """One incoming message as the contact centre sees it (all text clean to show and store:
    no control characters, no lone surrogates, bounded)."""

    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: tuple[ParsedAttachment, ...]
    auto: str
    sender_check: str
    defects: tuple[str, ...]
    unparseable: bool


def parse_message(
    raw: bytes,
    *,
    limits: AttachmentLimits = AttachmentLimits(),  # noqa: B008 (frozen, so shared safely)
    trusted_authserv_ids: tuple[str, ...] = (),
    own_addresses: tuple[str, ...] = (),
    loop_marker: str = "X-CIC-Loop",
) -> ParsedMail:
    """``raw`` (the message as fetched) parsed; never raises.

    ``trusted_authserv_ids`` name the office's own receiving servers, whose
    Authentication-Results fields are believed; ``own_addresses`` are the office's addresses
    (mail "from" them coming in is a loop or a forgery); ``loop_marker`` is the header the
    contact centre puts on everything it sends.
    """
    raw = bytes(raw)
    try:
        return _parse(raw, limits, trusted_authserv_ids, own_addresses, loop_marker)
    except Exception as exc:
        # The last guard: a bug here or in the stdlib must cost the message's structure,
        # never the message.
        log.warning("mail parsing failed; kept as raw text", exc_info=True)
        return _raw_view(raw, (f"wiadomości nie udało się odczytać ({type(exc).__name__})",))


def _load(raw: bytes) -> tuple[Message | None, bool, list[str]]:
    """The message tree, whether its body has a MIME structure, and what was wrong."""
    try:
        return email.message_from_bytes(raw, policy=email.policy.default), True, []
    except Exception:
        log.debug("default policy failed, compat32 next", exc_info=True)
    try:
        parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
        return parsed, True, ["wiadomość odczytana w trybie zgodności (compat32)"]
    except Exception:
        log.debug("compat32 failed, headers only next", exc_info=True)
    try:
        parser = email.parser.BytesParser(policy=email.policy.compat32)
        parsed = parser.parsebytes(raw, headersonly=True)
        return parsed, False, ["nieczytelna struktura MIME (np. zbyt głębokie zagnieżdżenie)"]
    except Exception:
        return None, False, []


def _parse(
    raw: bytes,
    limits: AttachmentLimits,
    trusted: tuple[str, ...],
    own: tuple[str, ...],
    loop_marker: str,
) -> ParsedMail:
    message, structured, defects = _load(raw)
    if message is None or not message.keys():
        return _raw_view(raw, ("wiadomość bez nagłówków: pokazano surową treść",))
    headers = Headers.of(message)
    defects += [f"nagłówek {name} za długi, obcięty" for name in headers.too_long()]
    senders = addresses(headers.all("from"))
    if headers.has("from") and not senders:
        defects.append("nieczytelny adres nadawcy")
    from_name, from_address = senders[0] if senders else ("", "")
    subject, broken = decode_words(headers.first("subject"))
    if broken:
        defects.append("niepoprawnie zakodowany temat")
    if structured:
        walker = BodyWalker(limits)
        body = walker.walk(message)
        text, html, attachments = body.text, body.html, tuple(walker.attachments)
        defects += walker.defects
    else:
        text, html, attachments = _raw_body(raw), "", ()
    text = text.strip("\n").rstrip()
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        defects.append(f"treść obcięta do {MAX_TEXT_CHARS:,} znaków".replace(",", " "))
    content_type, report_type = _top_type(message)
    date = parse_date(headers.first("date"))
    if date is None and headers.first("date").strip():
        defects.append("nieczytelna data wysłania")
    return ParsedMail(
        message_id=_message_id(headers, raw),
        in_reply_to=tuple(message_ids(headers.first("in-reply-to"))),
        references=_references(headers),
        from_address=from_address,
        from_name=from_name,
        reply_to=next((spec for _, spec in addresses(headers.all("reply-to"))), ""),
        to=_specs(headers, "to"),
        cc=_specs(headers, "cc"),
        subject=clean_line(subject, MAX_SUBJECT),
        date=date,
        text=text,
        html=html,
        attachments=attachments,
        auto=classify(
            headers,
            content_type=content_type,
            report_type=report_type,
            from_address=from_address,
            own_addresses=own,
            loop_marker=loop_marker,
        ),
        sender_check=sender_check(headers, trusted, from_address),
        defects=_unique(defects),
        unparseable=not structured,
    )


def _message_id(headers: Headers, raw: bytes) -> str:
    """The Message-ID, or one derived from the bytes: the same message read twice (another
    folder, another UID) gets the same id, so it is recognised as seen before."""
    ids = message_ids(headers.first("message-id"))
    return ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_ID_DOMAIN}>"


def _references(headers: Headers) -> tuple[str, ...]:
    ids = message_ids(" ".join(headers.all("references")))
    if len(ids) > MAX_REFERENCES:
        # As RFC 5322 trims them: the thread's first message and the latest ones.
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return tuple(ids)


def _specs(headers: Headers, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(spec for _, spec in addresses(headers.all(name))))


def _top_type(message: Message) -> tuple[str, str]:
    try:
        report_type = message.get_param("report-type", "")
        return message.get_content_type(), str(report_type).strip().lower()
    except Exception:
        return "", ""


def _unique(defects: list[str]) -> tuple[str, ...]:
    return tuple(clean_line(d, 300) for d in dict.fromkeys(defects))[:MAX_DEFECTS]


def _raw_body(raw: bytes) -> str:
    """The part of ``raw`` after the headers, decoded as well as it goes."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        _, found, body = raw.partition(separator)
        if found:
            return _decoded(body)
    return _decoded(raw)


def _decoded(data: bytes) -> str:
    return clean_text(data[:MAX_RAW_VIEW].decode("utf-8", "replace"))


def _raw_view(raw: bytes, defects: tuple[str, ...]) -> ParsedMail:
    """What is left to show when no structure could be read: the bytes as text."""
    return ParsedMail(
        message_id=f"<{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_ID_DOMAIN}>",
        in_reply_to=(),
        references=(),
        from_address="",
        from_name="",
        reply_to="",
        to=(),
        cc=(),
        subject="",
        date=None,
        text=_decoded(raw),
        html="",
        attachments=(),
        auto="",
        sender_check="unknown",
        defects=defects,
        unparseable=True,
    )
