"""Loading a checked address file into the store: points are added or updated by their key,
and loading the same file again changes nothing. Points the file does not list stay (an
export of one sołectwo does not wipe the others); the register retires an address with a
status, which the reader rejects. The register itself says nothing of sołectwa: a file
without them keeps the sołectwo an earlier file set (a new point gets its place's name)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cic.addresses.models import AddressPoint
from cic.addresses.prg import ParsedFile, PointRow, Rejection
from cic.addresses.words import fold, house_number
from cic.db import Store, utcnow

CHUNK = 500


@dataclass
class ImportReport:
    """What an import did: points added, changed, unchanged; rejected rows by line."""

    encoding: str
    coordinates: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (rejected rows as ``{"line", "reason"}``)."""
        return {**asdict(self), "rejected": [asdict(r) for r in self.rejected]}


def columns_of(row: PointRow) -> dict[str, Any]:
    """The stored columns of a row, the folded search keys included."""
    street_key, place_key = fold(row.street), fold(row.place)
    number_key = house_number(row.number)
    return {
        "place": row.place, "street": row.street, "number": row.number,
        "postcode": row.postcode, "solectwo": row.solectwo or row.place,
        "lat": round(row.lat, 7), "lon": round(row.lon, 7),
        "place_key": place_key, "street_key": street_key, "number_key": number_key,
        "search": " ".join(filter(None, (street_key, number_key, place_key))),
    }  # fmt: skip


def load(store: Store, parsed: ParsedFile) -> ImportReport:
    """Write the good rows in one transaction; returns the report."""
    report = ImportReport(parsed.encoding, parsed.coordinates, rejected=list(parsed.rejected))

    def write(session: Session) -> None:
        at = utcnow()
        for start in range(0, len(parsed.rows), CHUNK):
            chunk = parsed.rows[start : start + CHUNK]
            stored = {
                p.key: p
                for p in session.scalars(
                    select(AddressPoint).where(AddressPoint.key.in_([r.key for r in chunk]))
                )
            }
            new: list[dict[str, Any]] = []
            for row in chunk:
                values = columns_of(row)
                point = stored.get(row.key)
                if point is not None and not row.solectwo:
                    del values["solectwo"]  # the file does not say: keep what was set
                if point is None:
                    new.append({"key": row.key, "updated_at": at, **values})
                elif any(getattr(point, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(point, name, value)
                    point.updated_at = at
                    report.changed += 1
                else:
                    report.unchanged += 1
            if new:  # one multi-row INSERT per chunk (the ORM's one per object is 3x slower)
                session.execute(insert(AddressPoint), new)
                report.added += len(new)

    store.run_sync(write)
    return report
