"""Header values of an incoming message, decoded without trusting them.

Every function here takes the raw value as the parser stored it (8-bit bytes kept as surrogate
escapes) and returns clean text: RFC 2047 words decoded in any charset, no control characters,
no lone surrogates, bounded length. The stdlib's ``email.policy.default`` header classes do the
parsing; when they raise on a hostile value the legacy ``email.header`` decoder (the compat32
way) is tried, and when that fails too the raw text is shown as it is.
"""

from __future__ import annotations

import email.header
import email.policy
import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.message import Message

#: Longest header value handed to the stdlib's parsers: some of them are quadratic on nested
#: comments and quoted strings, and no honest header comes near it.
MAX_HEADER_CHARS = 16_000
MAX_SUBJECT = 998
MAX_NAME = 200
MAX_ADDRESS = 254
MAX_MESSAGE_ID = 998

_LINE_JUNK = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+"
)
_TEXT_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]+")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
_MSGID = re.compile(rf"<([^<>\s]{{1,{MAX_MESSAGE_ID - 2}}})>")
_ADDRESS_CHAR = r"[^@\s<>()\[\],;:\"\\\x00-\x1f\x7f-\x9f]"
_ADDR_SPEC = re.compile(rf"{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+")


def no_surrogates(text: str) -> str:
    """``text`` safe to store as UTF-8: each run of 8-bit bytes the parser kept as surrogate
    escapes becomes what it says in UTF-8 (else Windows-1250, the Polish legacy); any other
    lone surrogate becomes U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_unescape_run, _ESCAPED_RUN.sub(_unescape_run, text))


def _unescape_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if not _ESCAPED_RUN.fullmatch(run):
        return "\ufffd" * len(run)
    data = run.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1250", "replace")


def clean_line(text: str, limit: int) -> str:
    """One line for display: no control or direction-override characters, spaces collapsed."""
    text = _LINE_JUNK.sub(" ", no_surrogates(text))
    return _SPACES.sub(" ", text).strip()[:limit]


def clean_text(text: str) -> str:
    """Body text for display: ``\\n`` line ends, no control characters but tab and newline."""
    text = no_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_JUNK.sub("", text)


class Headers:
    """The raw header fields of one message (or part), looked up by name."""

    def __init__(self, fields: Iterable[tuple[str, str]]) -> None:
        self.ordered = [(str(name).strip(), str(value)) for name, value in fields]
        self.fields: dict[str, list[str]] = {}
        for name, value in self.ordered:
            self.fields.setdefault(name.lower(), []).append(value)

    @classmethod
    def of(cls, message: Message) -> Headers:
        """The fields as the parser stored them (``raw_items`` is the stdlib's way to read
        them unparsed; reading ``message[name]`` would run the header parser on each)."""
        return cls(message.raw_items())

    def all(self, name: str) -> list[str]:
        """Every value of field ``name``, unfolded, 8-bit bytes decoded, bounded."""
        return [_unfold(no_surrogates(v))[:MAX_HEADER_CHARS] for v in self.fields.get(name, [])]

    def first(self, name: str) -> str:
        """The first value of field ``name`` or ``""``."""
        values = self.all(name)
        return values[0] if values else ""

    def pairs(self) -> list[tuple[str, str]]:
        """Every field in order as ``(name, value)``, both cleaned to one line."""
        return [(clean_line(n, 100), clean_line(_unfold(v), 1000)) for n, v in self.ordered]

    def has(self, name: str) -> bool:
        """Whether field ``name`` is present at all."""
        return name in self.fields

    def too_long(self) -> list[str]:
        """Names of fields longer than :data:`MAX_HEADER_CHARS` (they were cut)."""
        return sorted(
            n for n, vs in self.fields.items() if any(len(v) > MAX_HEADER_CHARS for v in vs)
        )


def _unfold(value: str) -> str:
    return value.replace("\r\n", "").replace("\n", "").replace("\r", "")


def decode_words(raw: str) -> tuple[str, bool]:
    """An unstructured value (Subject) with its RFC 2047 encoded words decoded, and whether
    some of it could not be decoded (a bad encoded word, an unknown charset)."""
    try:
        text = str(email.policy.default.header_factory("subject", raw))
    except Exception:
        # The header parser failed on this value: the legacy decoder gets its turn.
        try:
            text = str(email.header.make_header(email.header.decode_header(raw)))
        except Exception:
            return raw, True
    text = no_surrogates(text)
    return text, "\ufffd" in text or "=?" in text


def addresses(raw_values: list[str]) -> list[tuple[str, str]]:
    """``(display name, lowercased addr-spec)`` of every readable address; unreadable ones are
    left out (the caller notes it)."""
    found: list[tuple[str, str]] = []
    for raw in raw_values:
        for name, spec in _address_pairs(raw):
            spec = no_surrogates(spec).strip().lower()
            if len(spec) <= MAX_ADDRESS and spec.isprintable() and _ADDR_SPEC.fullmatch(spec):
                found.append((clean_line(name, MAX_NAME), spec))
    return found


def _address_pairs(raw: str) -> list[tuple[str, str]]:
    try:
        header = email.policy.default.header_factory("to", raw)
        return [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:
        # The legacy parser (compat32's) next; it recurses on nested comments, so it can
        # fail too: then the value has no readable address.
        try:
            return email.utils.getaddresses([raw])
        except Exception:
            return []


def message_ids(raw: str) -> list[str]:
    """The ``<...>`` message ids in a Message-ID, In-Reply-To or References value; bare ids
    with an ``@`` (some mailers drop the brackets) get their brackets back."""
    found = [f"<{m}>" for m in _MSGID.findall(raw)]
    if not found:
        found = [f"<{t}>" for t in raw.split() if "@" in t and "<" not in t and ">" not in t]
    return [i for i in dict.fromkeys(found) if len(i) <= MAX_MESSAGE_ID and i.isprintable()]


def parse_date(raw: str) -> datetime | None:
    """The Date header as an aware UTC datetime; ``None`` when absent or unreadable (a date
    without a zone, ``-0000``, is taken as UTC)."""
    if not raw.strip():
        return None
    try:
        value = email.utils.parsedate_to_datetime(raw)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
