"""Loading a checked dues file into the store: each import is a snapshot of the payers in it.

For every payer number with a good row in the file, the file says everything the office
wants shown: items are added or updated by the finance system's item id, and the payer's
items the file no longer lists are removed (paid off, cancelled). Payers not in the file keep
what an earlier import loaded. When a row of a payer is rejected, nothing of that payer is
removed (a rejected row never makes a due disappear); its good rows are still loaded.

Loading the same file twice changes nothing: unchanged rows are not written, and a PIN that
still matches its stored argon2 hash keeps that hash (argon2 salts every hash anew, so a
fresh one would be a change). The hashing (about 0.1 s per payer) runs in worker threads
before the one short write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.cases.pins import check_pin, hash_pin
from cic.db import Store, utcnow
from cic.dues.models import DuesItem, DuesPayer
from cic.dues.rows import DueRow, ParsedFile, Rejection

CHUNK = 500
T = TypeVar("T")
ItemValues = tuple[str, str, int, int, date, str, str]


@dataclass
class ImportReport:
    """What an import did: items added, changed, unchanged and removed; rejected rows."""

    format: str
    encoding: str
    payers: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (rejected rows as ``{"line", "reason"}``)."""
        return {**asdict(self), "rejected": [asdict(r) for r in self.rejected]}


@dataclass(frozen=True)
class _Stored:
    payers: dict[str, tuple[str, str]]  # number -> (pin_hash, initials)
    items: dict[str, ItemValues]  # item id -> values


def _values(row: DueRow) -> ItemValues:
    return (row.payer, row.title, row.grosze, row.paid, row.due, row.account, row.transfer_title)


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _read(session: Session, payers: set[str], item_ids: set[str]) -> _Stored:
    stored = _Stored({}, {})
    for batch in _chunks(sorted(payers)):
        for p in session.scalars(select(DuesPayer).where(DuesPayer.number.in_(batch))):
            stored.payers[p.number] = (p.pin_hash, p.initials)
        for i in session.scalars(select(DuesItem).where(DuesItem.payer.in_(batch))):
            stored.items[i.item_id] = _item_values(i)
    for batch in _chunks(sorted(item_ids - set(stored.items))):
        for i in session.scalars(select(DuesItem).where(DuesItem.item_id.in_(batch))):
            stored.items[i.item_id] = _item_values(i)
    return stored


def _item_values(i: DuesItem) -> ItemValues:
    return (i.payer, i.title, i.amount, i.paid, i.due, i.account, i.transfer_title)


@dataclass
class _Plan:
    payers: dict[str, tuple[str, str]] = field(default_factory=dict)  # to write
    items: dict[str, ItemValues] = field(default_factory=dict)  # to write
    remove: list[str] = field(default_factory=list)


def _pin_hashes(
    pins: dict[str, str], stored: _Stored, workers: int,
    hasher: Callable[[str], str], checker: Callable[[str, str], bool],
) -> dict[str, tuple[str, bool]]:  # fmt: skip
    """Per payer: (the hash to keep, whether it is new)."""

    def one(payer: str) -> tuple[str, bool]:
        old = stored.payers.get(payer)
        if old is not None and checker(old[0], pins[payer]):
            return old[0], False
        return hasher(pins[payer]), True

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(pins, pool.map(one, pins), strict=True))


def plan(
    parsed: ParsedFile, stored: _Stored, report: ImportReport, *, workers: int = 2,
    hasher: Callable[[str], str] = hash_pin, checker: Callable[[str, str], bool] = check_pin,
) -> _Plan:  # fmt: skip
    """What to write for ``parsed`` given what is ``stored``; counts go into ``report``."""
    out = _Plan()
    pins = {row.payer: row.pin for row in reversed(parsed.rows)}  # the first row's PIN
    initials = {row.payer: row.initials for row in reversed(parsed.rows)}
    report.payers = len(pins)
    for payer, (pin_hash, fresh) in _pin_hashes(pins, stored, workers, hasher, checker).items():
        old = stored.payers.get(payer)
        if fresh or old is None or old[1] != initials[payer]:
            out.payers[payer] = (pin_hash, initials[payer])
    in_file = {row.item_id for row in parsed.rows}
    for row in parsed.rows:
        old_item = stored.items.get(row.item_id)
        if old_item == _values(row):
            report.unchanged += 1
            continue
        out.items[row.item_id] = _values(row)
        if old_item is None:
            report.added += 1
        else:
            report.changed += 1
    sure = set(pins) - parsed.unsure
    out.remove = sorted(
        item_id for item_id, values in stored.items.items()
        if values[0] in sure and item_id not in in_file
    )  # fmt: skip
    report.removed = len(out.remove)
    return out


def _write(session: Session, out: _Plan) -> None:
    now = utcnow()
    for number, (pin_hash, initials) in out.payers.items():
        payer = session.get(DuesPayer, number)
        if payer is None:
            session.add(DuesPayer(number=number, pin_hash=pin_hash, initials=initials,
                                  updated_at=now))  # fmt: skip
        else:
            payer.pin_hash, payer.initials, payer.updated_at = pin_hash, initials, now
    session.flush()
    for batch in _chunks(out.remove):
        session.execute(delete(DuesItem).where(DuesItem.item_id.in_(batch)))
    for item_id, (payer_number, title, amount, paid, due, account, transfer) in out.items.items():
        item = session.get(DuesItem, item_id) or DuesItem(item_id=item_id)
        item.payer, item.title, item.amount, item.paid = payer_number, title, amount, paid
        item.due, item.account, item.transfer_title, item.updated_at = due, account, transfer, now
        session.add(item)


def load(store: Store, parsed: ParsedFile, *, workers: int = 2) -> ImportReport:
    """Load the good rows of ``parsed`` (see the module docstring); the report of it."""
    report = ImportReport(parsed.format, parsed.encoding, rejected=list(parsed.rejected))
    payers = {row.payer for row in parsed.rows}
    item_ids = {row.item_id for row in parsed.rows}
    stored = store.run_sync(lambda s: _read(s, payers, item_ids))
    out = plan(parsed, stored, report, workers=workers)
    if out.payers or out.items or out.remove:
        store.run_sync(lambda s: _write(s, out))
    return report
