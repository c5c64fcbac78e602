"""Residents' e-mail addresses: one canonical form (an RFC 5322 ``addr-spec`` in lower case)
so that a message from ``Jan.Testowy@Example.PL`` finds the resident who gave
``jan.testowy@example.pl`` at the desk."""

from __future__ import annotations

import re

MAX_ADDRESS = 254  # RFC 5321: a path of 256 octets with its angle brackets
MAX_LOCAL = 64
EMAIL_EXAMPLE = "np. jan.testowy@example.pl (bez spacji i polskich znaków)"
_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def canonical_address(raw: object) -> str | None:
    """The address in lower case when it is a dot-atom ``local@domain`` (the domain with at
    least two labels), else ``None``. Quoted local parts, IP literals and comments (which
    residents do not type) are refused rather than half understood."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if not text.isascii() or len(text) > MAX_ADDRESS or text.count("@") != 1:
        return None
    local, domain = text.split("@")
    if len(local) > MAX_LOCAL or not _LOCAL.fullmatch(local):
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return text if _TLD.fullmatch(labels[-1]) else None
