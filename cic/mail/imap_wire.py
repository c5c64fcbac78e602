"""IMAP wire details under ``cic.mail.imap``: aioimaplib's protocol with the events the
mailbox needs, folder names in modified UTF-7, and parsers for SELECT, SEARCH and FETCH."""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass
from typing import Any

from aioimaplib import IMAP4ClientProtocol

_NEW_MAIL = re.compile(rb"^\* \d+ (EXISTS|RECENT)$")
_FETCH_START = re.compile(rb"^\d+ FETCH \(")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class WatchedProtocol(IMAP4ClientProtocol):  # type: ignore[misc]
    """aioimaplib's client protocol that also notes when the server announces new mail
    (``new_mail``: an untagged EXISTS or RECENT, whatever command was running) and when the
    connection is gone (``closed``; aioimaplib itself leaves pending commands waiting)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop, None)
        self.new_mail = asyncio.Event()
        self.closed = asyncio.Event()
        self.said_bye = False

    def _untagged_response(self, line: bytes) -> Any:
        if _NEW_MAIL.match(line):
            self.new_mail.set()
        elif line.startswith(b"* BYE"):
            self.said_bye = True
        return super()._untagged_response(line)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        super().connection_lost(exc)


def folder_name(name: str) -> str:
    """``name`` as an IMAP mailbox argument: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(utf16).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{encoded}"'


@dataclass(frozen=True)
class FolderState:
    """What SELECT says about a folder: UIDs are valid while ``uidvalidity`` stays the same;
    the next message delivered gets a UID of at least ``uidnext``."""

    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class FetchedMessage:
    """One message exactly as the server stores it."""

    uid: int
    raw: bytes
    size: int


def parse_select(lines: list[Any]) -> FolderState:
    """UIDVALIDITY and UIDNEXT from a SELECT response (0 for one the server left out)."""
    text = b"\n".join(line for line in lines if isinstance(line, bytes))
    validity = re.search(rb"\[UIDVALIDITY (\d+)\]", text)
    uidnext = re.search(rb"\[UIDNEXT (\d+)\]", text)
    return FolderState(
        int(validity.group(1)) if validity else 0, int(uidnext.group(1)) if uidnext else 0
    )


def parse_search(lines: list[Any]) -> list[int]:
    """The numbers of a SEARCH response, ascending. aioimaplib hands over the untagged
    ``* SEARCH 3 4`` as ``3 4`` and the tagged completion text as the last line."""
    found: set[int] = set()
    for line in lines[:-1]:
        words = line.split() if isinstance(line, bytes) else []
        found.update(int(word) for word in words if word.isdigit())
    return sorted(found)


def parse_fetch(lines: list[Any]) -> list[FetchedMessage]:
    """The messages of a ``UID FETCH (UID RFC822.SIZE BODY.PEEK[])`` response. aioimaplib
    gives text lines as bytes and each literal (the message) as a bytearray; a FETCH without
    a body (an unsolicited flag change) is left out."""
    records: list[dict[str, Any]] = []
    for line in lines:
        if isinstance(line, bytearray):
            if records and "raw" not in records[-1]:
                records[-1]["raw"] = bytes(line)
            continue
        if _FETCH_START.match(line):
            records.append({})
        if records:
            if uid := _UID.search(line):
                records[-1].setdefault("uid", int(uid.group(1)))
            if size := _SIZE.search(line):
                records[-1].setdefault("size", int(size.group(1)))
    return [
        FetchedMessage(r["uid"], r["raw"], r.get("size", len(r["raw"])))
        for r in records
        if "uid" in r and "raw" in r
    ]
