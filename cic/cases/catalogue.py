"""The JRWA list in force: the office's stored list, or the built-in subset until one is loaded."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cic.cases.errors import UnknownJrwaClass
from cic.cases.jrwa import JrwaClass, builtin
from cic.cases.models import JrwaEntry
from cic.cases.schemas import CatalogueOut
from cic.db import utcnow


def check_known(session: Session, symbol: str) -> None:
    """Refuse a symbol that is not in the office's list."""
    if symbol not in catalogue(session)["names"]:
        raise UnknownJrwaClass(f"Klasy „{symbol}” nie ma w wykazie akt (JRWA) urzędu.")


def catalogue(session: Session) -> CatalogueOut:
    """The office's list if loaded, else the built-in subset; ``names`` maps symbol to name."""
    rows = session.scalars(select(JrwaEntry).order_by(JrwaEntry.symbol)).all()
    if rows:
        classes = [JrwaClass(r.symbol, r.name, r.category) for r in rows]
        source, check = "urząd", False
    else:
        classes, source, check = _builtin(), "wbudowany wycinek", True
    return {
        "source": source,
        "needs_local_check": check,
        "classes": [c.to_json() for c in classes],
        "names": {c.symbol: c.name for c in classes},
    }


_BUILTIN: list[JrwaClass] = []


def _builtin() -> list[JrwaClass]:
    if not _BUILTIN:
        _BUILTIN.extend(builtin())
    return _BUILTIN


def store_jrwa(session: Session, classes: list[JrwaClass]) -> int:
    """Replace the stored JRWA list with ``classes``."""
    session.execute(delete(JrwaEntry))
    now = utcnow()
    session.add_all(
        JrwaEntry(symbol=c.symbol, name=c.name, category=c.category, loaded_at=now) for c in classes
    )
    return len(classes)
