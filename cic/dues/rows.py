"""What reading a dues file gives: the records as read, the checked rows, the rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Format = Literal["csv", "xml"]


@dataclass(frozen=True)
class Record:
    """One row of the file as read: its first ``line``, its fields, or why it is unreadable."""

    line: int
    fields: dict[str, str]
    problem: str = ""


@dataclass(frozen=True)
class DueRow:
    """One checked item: amounts in grosze, ``account`` a valid NRB, ``payer`` normalised."""

    line: int
    item_id: str
    payer: str
    pin: str
    initials: str
    title: str
    grosze: int
    paid: int
    due: date
    account: str
    transfer_title: str


@dataclass(frozen=True)
class Rejection:
    """A row not loaded: its line in the file and why (Polish)."""

    line: int
    reason: str


@dataclass
class ParsedFile:
    """The good rows, the rejected ones, and the payers with a rejected row (``unsure``:
    nothing of theirs is removed by this import)."""

    format: Format
    encoding: str
    rows: list[DueRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    unsure: set[str] = field(default_factory=set)
