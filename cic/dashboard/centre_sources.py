"""The contact centre's drill-downs in the service's registry: a drill key of the centre
(``calls.abandoned`` or a part's ``calls.abandoned:queue=pierwsza-linia``) is listed through
:func:`cic.dashboard.centre_drill.statement` and shown with
:func:`cic.dashboard.centre_rows.drill_row`. The part's filter is in the key itself, so the
``part`` the service passes along is not read again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sqlalchemy.orm import Session

from cic.config import OfficeSettings
from cic.dashboard import centre_drill
from cic.dashboard.centre_rows import drill_row
from cic.dashboard.drill import Source
from cic.dashboard.drill_common import Ask, Rows


def _rows(session: Session, ask: Ask, key: str, office: OfficeSettings) -> Rows:
    stmt = centre_drill.statement(session, key, ask.period, office, ask.settings)
    total = centre_drill.count(session, stmt)
    found = session.scalars(stmt.limit(ask.limit).offset(ask.offset)).all()
    return [drill_row(r, ask.period.zone) for r in found], total


class CentreSources(Mapping[str, Source]):
    """Every drill key of the contact centre, with or without a part, as a registry source."""

    def __init__(self, office: OfficeSettings) -> None:
        self.office = office

    def __getitem__(self, key: str) -> Source:
        if key.partition(":")[0] not in centre_drill.KEYS:
            raise KeyError(key)

        def source(session: Session, ask: Ask) -> Rows:
            return _rows(session, ask, key, self.office)

        return source

    def __iter__(self) -> Iterator[str]:
        return iter(centre_drill.KEYS)

    def __len__(self) -> int:
        return len(centre_drill.KEYS)
