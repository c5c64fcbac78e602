"""Validated values for everything that reaches an Asterisk configuration file or the dialplan.

Each type is a ``str`` that has matched one small grammar; ``Type.parse(value, field)`` makes
one or raises :class:`UnsafeValue` naming ``field`` with a Polish rule. The grammars are pure
and live in the core layer, so that settings are checked as they are read
(``cic.config``), before anything of the Asterisk layer runs.
The grammars are what an office needs, not everything Asterisk would take: none of them lets
through a line break, NUL or other control character, a section bracket where a value is
expected, a ``;`` comment (except the ``\\;`` escape of :meth:`SipUri.for_conf`), ``$`` (the
dialplan's ``${...}`` and ``$[...]``), a ``,`` or ``&`` that would add an application argument
or a second dial target, or a backslash.

The renderer (:mod:`cic.asterisk.rendering`) checks every value again as it writes it, so a
value that skipped its validator is refused there.
"""

from __future__ import annotations

import ipaddress
import re
from typing import ClassVar, Self

from cic.errors import CicError


class UnsafeValue(CicError):
    """A value bound for an Asterisk configuration file or the dialplan breaks its grammar.

    ``field`` names the setting or form field (in Polish where an official sees it); the
    message says what is allowed. Nothing was written when this is raised.
    """

    status = 400
    error_id = "invalid_value"

    def __init__(self, field: str, rule: str) -> None:
        """``rule`` is the Polish description of what the field accepts."""
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)
_IPV4ISH = re.compile(r"[0-9.]+", re.ASCII)


def is_hostname(text: str) -> bool:
    """A DNS name (RFC 1123 labels) or a dotted IPv4 address; nothing else."""
    if not text or len(text) > 253:
        return False
    if _IPV4ISH.fullmatch(text):
        return is_ipv4(text)
    labels = text[:-1].split(".") if text.endswith(".") else text.split(".")
    return all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit()


def is_ipv4(text: str) -> bool:
    """A dotted-quad IPv4 address (no leading zeros, each part 0-255)."""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def is_ipv6(text: str) -> bool:
    """An IPv6 address without brackets or a zone id."""
    if not text or not all(c in "0123456789abcdefABCDEF:." for c in text):
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


class AsteriskValue(str):
    """A string that matched the grammar of its class; made by :meth:`parse`."""

    rule: ClassVar[str] = ""

    @classmethod
    def valid(cls, text: str) -> bool:
        """True when ``text`` matches this type's grammar."""
        raise NotImplementedError

    @classmethod
    def parse(cls, value: object, field: str) -> Self:
        """``value`` as this type, or :class:`UnsafeValue` naming ``field``."""
        if not isinstance(value, str) or not cls.valid(value):
            raise UnsafeValue(field, cls.rule)
        return cls(value)


class _Pattern(AsteriskValue):
    pattern: ClassVar[re.Pattern[str]]

    @classmethod
    def valid(cls, text: str) -> bool:
        return cls.pattern.fullmatch(text) is not None


class ObjectName(_Pattern):
    """The name of an Asterisk object or section (endpoint, AOR, manager user, instance)."""

    pattern = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}", re.ASCII)
    rule = "litery ASCII, cyfry, '-' i '_' (na początku litera lub cyfra), do 80 znaków."


class NodeName(_Pattern):
    """The name of one Asterisk node behind Kamailio (``systemname``, a prefix of its call
    ids): short, so call ids stay within their column."""

    pattern = re.compile(r"[a-z][a-z0-9-]{0,19}", re.ASCII)
    rule = "małe litery ASCII, cyfry i '-' (na początku litera), do 20 znaków, np. wezel-a."


class QueueName(_Pattern):
    """A queue: a section of queues.conf and the first argument of ``Queue()``."""

    pattern = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)
    rule = "nazwa kolejki: litery ASCII, cyfry, '-' i '_', do 64 znaków."


class _Choice(AsteriskValue):
    choices: ClassVar[tuple[str, ...]]

    @classmethod
    def valid(cls, text: str) -> bool:
        return text in cls.choices


class QueueStrategy(_Choice):
    """One of app_queue's ring strategies."""

    choices = ("ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "linear", "wrandom")
    rule = "jedna z: " + ", ".join(choices) + "."


class RecordingPolicyName(_Choice):
    """The recording policy, the tail of the dialplan context ``cic-recording-<policy>``."""

    choices = ("always", "opt-out", "opt-in", "never")
    rule = "jedna z: " + ", ".join(choices) + "."


class Digits(_Pattern):
    """ASCII digits only (1 to 32): a number as the dialplan matches it."""

    pattern = re.compile(r"[0-9]{1,32}", re.ASCII)
    rule = "same cyfry 0-9 (od 1 do 32)."


class Extension(_Pattern):
    """An extension the dialplan matches literally: digits, optionally after one ``+``."""

    pattern = re.compile(r"\+?[0-9]{1,32}", re.ASCII)
    rule = "numer: cyfry 0-9, na początku może być '+'."


class PhoneNumber(_Pattern):
    """The office's public number as written in settings, e.g. ``+48 82 000 00 00``."""

    pattern = re.compile(r"\+?[0-9](?: ?[0-9]){2,31}", re.ASCII)
    rule = "numer telefonu, np. +48 82 000 00 00 (cyfry, spacje, na początku może być '+')."

    @property
    def digits(self) -> Digits:
        """The number's digits without ``+`` and spaces."""
        return Digits(self.replace(" ", "").lstrip("+"))


class DtmfKey(_Pattern):
    """One telephone key."""

    pattern = re.compile(r"[0-9*#]", re.ASCII)
    rule = "jeden klawisz: 0-9, * albo #."


class DialTemplate(AsteriskValue):
    """A ``Dial()`` target with ``{number}`` in it, e.g. ``PJSIP/{number}@residents``.

    Technology ``/`` resource, the resource made of letters, digits and ``_ . @ : + / -``:
    no ``,`` (a ``Dial()`` option), ``&`` (a second target), ``$`` or brackets.
    """

    pattern: ClassVar[re.Pattern[str]] = re.compile(
        r"[A-Za-z][A-Za-z0-9_]{0,15}/[A-Za-z0-9_.@:+/-]{1,200}", re.ASCII
    )
    rule = (
        "cel Dial() z dokładnie jednym {number}, np. PJSIP/{number}@residents "
        "(litery, cyfry i _ . @ : + / -; bez przecinków, '&' i '$')."
    )

    @classmethod
    def valid(cls, text: str) -> bool:
        return text.count("{number}") == 1 and bool(
            cls.pattern.fullmatch(text.replace("{number}", "0"))
        )


class DialTarget(_Pattern):
    """A filled-in :class:`DialTemplate`: one ``Dial()`` target, no options or second target."""

    pattern = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}/[A-Za-z0-9_.@:+/-]{1,200}", re.ASCII)
    rule = DialTemplate.rule


class SoundPath(_Pattern):
    """A sound file as Asterisk plays it: an absolute path without its extension, made of
    letters, digits, ``_``, ``-`` and ``.`` between ``/`` (no ``..``, ``&`` or ``,``)."""

    pattern = re.compile(r"(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}){1,12}", re.ASCII)
    rule = "ścieżka pliku dźwiękowego: /katalog/plik (litery, cyfry, '_', '-', '.'; bez '..')."

    @classmethod
    def valid(cls, text: str) -> bool:
        return super().valid(text) and "/.." not in text and not text.endswith(".")


class SoundName(_Pattern):
    """A recorded file's name as an official gives it: ``ostrzezenie-burza.wav``."""

    pattern = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}", re.ASCII)
    rule = "nazwa pliku nagrania: litery, cyfry, '_', '-' i '.', do 100 znaków."

    @classmethod
    def valid(cls, text: str) -> bool:
        return super().valid(text) and ".." not in text


class HostName(AsteriskValue):
    """A host to bind or connect to: an IPv4 address or a DNS name."""

    rule = "adres IPv4 albo nazwa hosta (litery, cyfry, '-' i '.')."

    @classmethod
    def valid(cls, text: str) -> bool:
        return is_hostname(text)


class TrunkMatch(AsteriskValue):
    """What identifies the operator's trunk (PJSIP ``identify`` ``match``): an IPv4 or IPv6
    address, a network in CIDR notation, or a host name."""

    rule = "adres IP, sieć w zapisie CIDR (np. 10.0.0.0/24) albo nazwa hosta."

    @classmethod
    def valid(cls, text: str) -> bool:
        if "/" in text:
            address, _, prefix = text.partition("/")
            if not prefix.isascii() or not prefix.isdigit():
                return False
            if not (is_ipv4(address) or is_ipv6(address)):
                return False
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                return False
            return True
        return is_hostname(text) or is_ipv6(text)


_SIP_URI = re.compile(
    r"(?P<scheme>sips?):"
    r"(?:(?P<user>[A-Za-z0-9_.!~*&=+-]{1,64})@)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]{2,45})\]|(?P<host>[A-Za-z0-9.-]{1,253}))"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"(?:;transport=(?P<transport>udp|tcp|tls|ws|wss))?",
    re.ASCII,
)


class SipUri(AsteriskValue):
    """A SIP URI an office needs (RFC 3261, restricted): ``sip:`` or ``sips:``, an optional
    user, a host as a name, IPv4 or ``[IPv6]``, an optional port and ``;transport=``.

    No password, no other parameters, no headers (``?``), no escapes (``%``).
    """

    rule = (
        "adres SIP, np. sip:agent-anna@10.0.0.5:5060 (sip: albo sips:, opcjonalnie "
        "użytkownik@, host jako nazwa, IPv4 albo [IPv6], port i ;transport=udp|tcp|tls|ws|wss)."
    )

    @classmethod
    def valid(cls, text: str) -> bool:
        match = _SIP_URI.fullmatch(text)
        if match is None:
            return False
        port = match.group("port")
        if port is not None and int(port) > 65535:
            return False
        if match.group("ipv6") is not None:
            return is_ipv6(match.group("ipv6"))
        return is_hostname(match.group("host"))

    def for_conf(self) -> ConfSipUri:
        """This URI as an Asterisk configuration value: ``;`` escaped as ``\\;`` (a bare
        ``;`` starts a comment there)."""
        return ConfSipUri(self.replace(";", "\\;"))


class ConfSipUri(AsteriskValue):
    """A :class:`SipUri` written for a configuration file (``\\;`` before parameters)."""

    rule = SipUri.rule

    @classmethod
    def valid(cls, text: str) -> bool:
        bare = text.replace("\\;", ";")
        return SipUri.valid(bare) and bare.replace(";", "\\;") == text


class DisplayName(AsteriskValue):
    """A person's name as an administrator types it (1 to 200 characters, trimmed).

    Any letters, punctuation and emoji, but no control characters or line breaks, and none
    of ``[ ] ; $ \\``: the name ends up (filtered, see :func:`sip_display_name`) in
    ``pjsip.conf`` and in AMI headers.
    """

    forbidden: ClassVar[frozenset[str]] = frozenset("[];$\\")
    rule = "od 1 do 200 znaków, bez znaków sterujących, końców wiersza i znaków [ ] ; $ \\."

    @classmethod
    def valid(cls, text: str) -> bool:
        return (
            0 < len(text) <= 200
            and text == text.strip()
            and not any(_control(c) or c in cls.forbidden for c in text)
        )


class SipDisplayName(AsteriskValue):
    """The quoted display name of a caller ID in ``pjsip.conf``: letters, digits, space,
    ``.`` and ``-`` only, at most 60 characters (made by :func:`sip_display_name`)."""

    rule = "litery, cyfry, spacja, '.' i '-', do 60 znaków."

    @classmethod
    def valid(cls, text: str) -> bool:
        return len(text) <= 60 and all(c.isalnum() or c in " .-" for c in text)


def sip_display_name(text: str) -> SipDisplayName:
    """``text`` reduced to what :class:`SipDisplayName` allows (other characters dropped)."""
    return SipDisplayName("".join(c for c in text if c.isalnum() or c in " .-")[:60])


def _control(ch: str) -> bool:
    return ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029"


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (line breaks, NUL, DEL, C1, U+2028/9)."""
    return any(_control(c) for c in text)
