"""The dashboard's JSON: what ``/api/wskazniki`` and the drill-down answer, as typed dicts
(the OpenAPI document takes their schema from here)."""

from __future__ import annotations

from collections.abc import Sequence

from typing_extensions import TypedDict

from cic.dashboard.period import Period
from cic.dashboard.schemas import DrillRow, Figure, Part, Section


class PeriodOut(TypedDict):
    """The period shown and the one it is compared with."""

    first: str
    last: str
    label: str
    month: bool
    previous_first: str
    previous_last: str
    previous_label: str


class PartOut(TypedDict):
    """One row of a figure's breakdown."""

    key: str
    label: str
    value: float | None
    previous: float | None
    count: int | None
    drill: str


class PointOut(TypedDict):
    """One day of a figure's series."""

    day: str
    value: float | None


class FigureOut(TypedDict):
    """One measure; ``value`` null with ``available`` false and a ``note``: no source."""

    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    change: float | None
    description: str
    available: bool
    note: str
    drill: str
    higher_is_better: bool | None
    parts: list[PartOut]
    series: list[PointOut]


class SectionOut(TypedDict):
    """A group of figures."""

    key: str
    title: str
    figures: list[FigureOut]


class ReportOut(TypedDict):
    """``/api/wskazniki``: the period and every section."""

    period: PeriodOut
    sections: list[SectionOut]


class DrillRowOut(TypedDict):
    """One record behind a figure."""

    kind: str
    id: str
    at: str
    summary: str
    link: str
    extra: list[list[str]]


class DrillOut(TypedDict):
    """A page of the drill-down: the figure, the part, the rows and how many there are."""

    key: str
    label: str
    part: str
    period: PeriodOut
    total: int
    page: int
    pages: int
    rows: list[DrillRowOut]


def period_json(period: Period) -> PeriodOut:
    """The period and its previous one."""
    before = period.previous()
    return {"first": period.first.isoformat(), "last": period.last.isoformat(),
            "label": period.label(), "month": period.month,
            "previous_first": before.first.isoformat(), "previous_last": before.last.isoformat(),
            "previous_label": before.label()}  # fmt: skip


def _part(part: Part) -> PartOut:
    return {"key": part.key, "label": part.label, "value": part.value,
            "previous": part.previous, "count": part.count, "drill": part.drill}  # fmt: skip


def figure_json(f: Figure) -> FigureOut:
    """One figure with its parts and series."""
    return {"key": f.key, "label": f.label, "unit": f.unit, "value": f.value,
            "previous": f.previous, "change": f.change, "description": f.description,
            "available": f.available, "note": f.note, "drill": f.drill,
            "higher_is_better": f.higher_is_better, "parts": [_part(p) for p in f.parts],
            "series": [{"day": p.day.isoformat(), "value": p.value} for p in f.series]}  # fmt: skip


def report_json(sections: Sequence[Section], period: Period) -> ReportOut:
    """The whole dashboard for ``period``."""
    return {"period": period_json(period), "sections": [
        {"key": s.key, "title": s.title, "figures": [figure_json(f) for f in s.figures]}
        for s in sections
    ]}  # fmt: skip


def drill_row_json(row: DrillRow) -> DrillRowOut:
    """One drill-down record."""
    return {"kind": row.kind, "id": row.id, "at": row.at, "summary": row.summary,
            "link": row.link, "extra": [[k, v] for k, v in row.extra]}  # fmt: skip
