"""Reading AMI headers for the tracker: required/optional values, numbers, times, channel names.

Every reader raises :class:`Malformed` rather than ``ValueError``/``KeyError`` so the tracker
can reject a bad event in one place and leave its state untouched. Values are read with
``Mapping.get`` only, so a plain ``dict`` (fixtures) and panoramisk's case-insensitive
``Message`` both work; a header that is not a string (panoramisk turns a repeated header into
a list) counts as absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Largest count (position, calls taken, status) accepted; larger is malformed.
MAX_COUNT = 2**31 - 1
#: Durations above this (about 115 days) are implausible: the tracker computes its own instead.
MAX_PLAUSIBLE_SECONDS = 10_000_000.0

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
# 'PJSIP/agent-anna-0000001a' -> 'PJSIP/agent-anna'; also 'Local/x@ctx-0000001b;1'.
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]{8}(?:;\d)?$")


class Malformed(Exception):
    """An AMI event lacks a header the tracker needs, or a header has an impossible value."""


def text(event: Mapping[str, str], key: str) -> str | None:
    """The header's value, or None when it is absent or not a string."""
    value = event.get(key)
    return value if isinstance(value, str) else None


def required(event: Mapping[str, str], key: str) -> str:
    """A header that must be present and non-empty."""
    value = event.get(key)
    if not isinstance(value, str) or not value:
        raise Malformed(key)
    return value


def optional(event: Mapping[str, str], key: str, default: str = "") -> str:
    """A header that may be absent (then ``default``)."""
    value = event.get(key)
    return value if isinstance(value, str) else default


def first_of(event: Mapping[str, str], *keys: str) -> str | None:
    """The first present, non-empty header among ``keys`` (names differ between events)."""
    for key in keys:
        value = event.get(key)
        if isinstance(value, str) and value:
            return value
    return None


_C_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "?": "?", "a": "\a", "b": "\b", "f": "\f",
              "n": "\n", "r": "\r", "t": "\t", "v": "\v"}  # fmt: skip


def unescape_c(value: str) -> str:
    """Undo ``ast_escape_c``: AMI sends caller IDs C-escaped (``O\\'Brien`` for ``O'Brien``)."""
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value) and value[i + 1] in _C_ESCAPES:
            out.append(_C_ESCAPES[value[i + 1]])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def caller_id(event: Mapping[str, str], key: str) -> str:
    """A caller-ID header as the caller sent it: C escapes undone, ``<unknown>`` is ''."""
    value = optional(event, key)
    return "" if value == "<unknown>" else unescape_c(value)


def count(event: Mapping[str, str], key: str) -> int:
    """A non-negative integer header; absent or empty is 0, anything unparsable is malformed."""
    value = text(event, key)
    if not value:
        return 0
    try:
        number = int(value)
    except ValueError:
        raise Malformed(key) from None
    if not 0 <= number <= MAX_COUNT:
        raise Malformed(key)
    return number


def flag(event: Mapping[str, str], key: str) -> bool:
    """A boolean header (Asterisk sends 0/1); absent is False."""
    value = text(event, key)
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise Malformed(key)


def seconds(event: Mapping[str, str], key: str) -> float | None:
    """A duration in seconds (HoldTime, Wait); None when absent or implausibly large.

    Unparsable, negative or non-finite values are malformed.
    """
    value = text(event, key)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Malformed(key) from None
    if not math.isfinite(number) or number < 0:
        raise Malformed(key)
    return number if number <= MAX_PLAUSIBLE_SECONDS else None


def clock_duration(event: Mapping[str, str], key: str) -> float | None:
    """CoreShowChannel's Duration: ``HH:MM:SS`` (what Asterisk sends) or plain seconds."""
    value = text(event, key)
    if not value:
        return None
    parts = value.split(":")
    if len(parts) > 3:
        raise Malformed(key)
    total = 0.0
    for part in parts:
        try:
            number = int(part)
        except ValueError:
            raise Malformed(key) from None
        if number < 0:
            raise Malformed(key)
        total = total * 60 + number
    return total if total <= MAX_PLAUSIBLE_SECONDS else None


def timestamp(value: str) -> datetime:
    """An AMI ``Timestamp`` header (epoch seconds, e.g. '1764351234.123456') as aware UTC."""
    try:
        number = float(value)
    except ValueError:
        raise Malformed("Timestamp") from None
    if not math.isfinite(number):
        raise Malformed("Timestamp")
    try:
        return EPOCH + timedelta(seconds=number)
    except OverflowError:
        raise Malformed("Timestamp") from None


def as_utc(moment: datetime) -> datetime:
    """A datetime as aware UTC; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def interface_of(channel: str) -> str:
    """The device/interface behind a channel name: drop Asterisk's '-0000001a' suffix."""
    match = _CHANNEL_SUFFIX.search(channel)
    return channel[: match.start()] if match else channel
