"""Outgoing e-mail: report tags in subjects, threaded replies, the acknowledgement template and
the message itself (UTF-8, RFC 2047 names and subjects, RFC 3834 marks on automatic mail).
Nothing here does I/O; serialise with ``message.as_bytes(policy=email.policy.SMTP)``."""

from __future__ import annotations

import email.policy
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses

from cic.mail.attachments import safe_filename
from cic.mail.headers import clean_line

TAG_PREFIX = "ZGL"
MAX_REFERENCES = 20
MAX_SUBJECT = 900

DEFAULT_ACK_SUBJECT = "Potwierdzenie otrzymania wiadomości [ZGL-{numer}]"

#: Fields: {numer} (the report's number), {data} (when the message came in), {termin} (the
#: reply target), {urzad} (the office's name). The resident's own subject and text are not
#: repeated: an acknowledgement to a forged sender must not carry a spammer's words onwards.
DEFAULT_ACK_TEMPLATE = "\n\n".join(
    (
        "Dzień dobry,",
        "dziękujemy za wiadomość. Potwierdzamy, że wpłynęła do urzędu {data} i została "
        "zarejestrowana jako zgłoszenie nr {numer}.",
        "Odpowiemy najpóźniej do {termin} (termin liczymy w dniach roboczych urzędu). Jeśli do "
        "załatwienia sprawy będą potrzebne dodatkowe informacje, skontaktujemy się z Państwem.",
        "Jeśli chcą Państwo coś dodać, wystarczy odpowiedzieć na tę wiadomość. Pisząc do nas w "
        "tej sprawie, prosimy zachować w temacie numer zgłoszenia [ZGL-{numer}] – dzięki temu "
        "wiadomość trafi od razu do właściwej sprawy.",
        "Ta wiadomość została wysłana automatycznie.",
        "Z poważaniem\n{urzad}\n",
    )
)

#: Outgoing text is 7-bit clean (quoted-printable or base64, whichever the stdlib finds
#: shorter): every relay carries it, with or without 8BITMIME.
_POLICY = email.policy.default.clone(cte_type="7bit")
_TAG = re.compile(
    rf"\[\s*{TAG_PREFIX}[-\s]?(\d{{1,18}})\s*\]|(?<![\w-]){TAG_PREFIX}-(\d{{1,18}})(?!\d)",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|odp|aw|antw|sv|vs|fwd?|pd|wg|tr|rv|enc)\.?(?:\s*[\[(]\d+[\])])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_FIELD = re.compile(r"\{\{|\}\}|\{([^\W\d]\w{0,63})\}")
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")
#: Ids of other people's messages: as our parser gives them (some mailers omit the ``@``).
_THREAD_ID = re.compile(r"<[^<>\s]{1,996}>")
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,60}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class OutgoingAttachment:
    """A file sent with a message."""

    filename: str
    content_type: str
    data: bytes


def make_message_id(domain: str) -> str:
    """A new, globally unique Message-ID on ``domain`` (``<hex@domain>``)."""
    try:
        ascii_domain = domain.strip().lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"niepoprawna domena identyfikatora wiadomości: {domain!r}") from None
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?", ascii_domain):
        raise ValueError(f"niepoprawna domena identyfikatora wiadomości: {domain!r}")
    return f"<{uuid.uuid4().hex}@{ascii_domain}>"


def report_tag(report_id: int) -> str:
    """The tag of report ``report_id`` in subjects: ``[ZGL-123]``."""
    return f"[{TAG_PREFIX}-{int(report_id)}]"


def find_report_tag(subject: str) -> int | None:
    """The report number tagged in ``subject`` (``[ZGL-123]``, also ``[zgl 123]`` or a bare
    ``ZGL-123`` a resident typed), or ``None``; the first tag wins."""
    match = _TAG.search(subject)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def reply_subject(original: str, tag: str) -> str:
    """``Re: <tag> <original>`` with the original's reply and forward prefixes (Re:, Odp:,
    AW:, Fwd:, PD:, ...) and copies of ``tag`` taken out, so they never pile up. ``tag`` may
    be a report tag or a case signature such as ``[FN.3110.12.2026]``."""
    subject = _SPACES.sub(" ", original)
    tag = _SPACES.sub(" ", tag).strip()
    if tag:
        subject = re.sub(re.escape(tag), " ", subject, flags=re.IGNORECASE)
    previous = None
    while previous != subject:
        previous = subject
        subject = _REPLY_PREFIX.sub("", subject).strip()
    subject = _SPACES.sub(" ", subject)[:MAX_SUBJECT].strip()
    return " ".join(part for part in ("Re:", tag, subject) if part)


def render_template(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its ``{name}`` fields filled from ``values``, as plain text.

    Nothing is evaluated: only simple names are fields (``{a.b}``, ``{a[0]}`` or ``{0}`` stay
    as written), unknown fields stay as written, values are inserted as they are and never
    read as fields themselves. ``{{`` and ``}}`` give literal braces.
    """

    def fill(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        value = values.get(match.group(1))
        return token if value is None else str(value)

    return _FIELD.sub(fill, template)


def build_message(
    *,
    sender: str,
    sender_name: str,
    to: Sequence[str],
    subject: str,
    text: str,
    in_reply_to: str = "",
    references: tuple[str, ...] = (),
    message_id: str,
    auto_submitted: bool = False,
    loop_marker: tuple[str, str] = ("X-CIC-Loop", ""),
    signature: str = "",
    html: str | None = None,
    attachments: Sequence[OutgoingAttachment] = (),
    date: datetime | None = None,
) -> EmailMessage:
    """A ready-to-send message.

    ``to`` entries may hold several comma-separated addresses. ``references`` are the
    parent's References; ``in_reply_to`` (the parent's Message-ID) is added after them when
    missing, and the list is trimmed as RFC 5322 suggests (the first and the latest ones).
    ``auto_submitted`` marks automatic mail (acknowledgements) ``Auto-Submitted:
    auto-replied`` (RFC 3834), which autoresponders do not answer; no ``Precedence`` field is
    added (it is not standard, and ``bulk`` would get an acknowledgement filed as spam). The
    loop marker (value: ``sender`` unless given) lets our own parser spot our mail coming back.
    A CR or LF in any header value raises :class:`ValueError` (no header injection).
    """
    name, value = loop_marker
    if not _HEADER_NAME.fullmatch(name):
        raise ValueError(f"niepoprawna nazwa nagłówka: {name!r}")
    for field, given in (("nadawca", sender), ("nazwa nadawcy", sender_name),
                         ("Message-ID", message_id), ("In-Reply-To", in_reply_to),
                         (name, value), *(("References", r) for r in references)):  # fmt: skip
        if any(ch in given for ch in "\r\n\0"):
            raise ValueError(f"{field}: niedozwolony znak końca wiersza")
    if not _MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"niepoprawny Message-ID: {message_id!r}")
    if in_reply_to and not _THREAD_ID.fullmatch(in_reply_to):
        raise ValueError(f"niepoprawny In-Reply-To: {in_reply_to!r}")
    message = EmailMessage(policy=_POLICY)
    message["From"] = _address(sender_name, sender)
    message["To"] = _recipients(to)
    message["Subject"] = clean_line(subject, 998)
    message["Date"] = date or datetime.now(UTC)
    message["Message-ID"] = message_id
    thread = _thread(in_reply_to, references)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if thread:
        message["References"] = " ".join(thread)
    if auto_submitted:
        message["Auto-Submitted"] = "auto-replied"
        # Exchange and Outlook send no out-of-office reply to mail that asks for none.
        message["X-Auto-Response-Suppress"] = "All"
    message[name] = value or sender
    message.set_content(_body(text, signature))
    if html is not None:
        message.add_alternative(html, subtype="html")
    for index, item in enumerate(attachments, start=1):
        maintype, _, subtype = item.content_type.lower().partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        filename = safe_filename(item.filename, index, item.content_type)
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _address(name: str, spec: str) -> Address:
    try:
        return Address(display_name=clean_line(name, 200), addr_spec=spec.strip())
    except (ValueError, IndexError, TypeError):
        raise ValueError(f"niepoprawny adres e-mail: {spec!r}") from None


def _recipients(to: Sequence[str]) -> tuple[Address, ...]:
    found: list[Address] = []
    for entry in to:
        if any(ch in entry for ch in "\r\n\0"):
            raise ValueError("adresat: niedozwolony znak końca wiersza")
        pairs = [(n, a) for n, a in getaddresses([entry]) if "@" in a]
        if not pairs:
            raise ValueError(f"niepoprawny adresat: {entry!r}")
        found += [_address(n, a) for n, a in pairs]
    if not found:
        raise ValueError("brak adresata")
    return tuple(found)


def _thread(in_reply_to: str, references: tuple[str, ...]) -> list[str]:
    ids = [r for r in dict.fromkeys(r.strip() for r in references) if _THREAD_ID.fullmatch(r)]
    if in_reply_to and in_reply_to not in ids:
        ids.append(in_reply_to)
    if len(ids) > MAX_REFERENCES:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return ids


def _body(text: str, signature: str) -> str:
    body = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    signature = signature.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if signature:
        body += "\n\n-- \n" + signature
    return body + "\n"
