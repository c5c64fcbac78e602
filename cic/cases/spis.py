"""Rows of the spis spraw (the register of a unit, JRWA class and year)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.cases.models import CASE_STATUSES, Case, CaseParty
from cic.cases.schemas import SpisRow


def party_names(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """Party names per case id."""
    names: dict[int, list[str]] = {}
    if not case_ids:
        return names
    rows = session.execute(
        select(CaseParty.case_id, CaseParty.name)
        .where(CaseParty.case_id.in_(case_ids))
        .order_by(CaseParty.id)
    ).all()
    for case_id, name in rows:
        names.setdefault(case_id, []).append(name)
    return names


def spis_row(case: Case, parties: list[str]) -> SpisRow:
    """One row of the spis spraw."""
    return {
        "lp": case.number,
        "signature": case.signature,
        "title": case.title,
        "parties": parties,
        "started_on": case.started_on.isoformat(),
        "closed_on": None if case.closed_on is None else case.closed_on.isoformat(),
        "status": case.status,
        "status_label": CASE_STATUSES[case.status],
    }
