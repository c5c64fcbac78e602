"""The dashboard's JSON: what ``/api/wskazniki`` and the drill-down answer, as typed dicts
(the OpenAPI document takes their schema from here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NotRequired

from typing_extensions import TypedDict

from cic.dashboard.heatmap import Heatmap
from cic.dashboard.period import Period
from cic.dashboard.schemas import DrillRow, Figure, Part, Section
from cic.dashboard.staffing import Forecast


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


class HeatmapOut(TypedDict):
    """Calls offered per weekday (Monday first) and local hour."""

    weekdays: list[str]
    cells: list[list[int]]
    max: int
    total: int


class HourOut(TypedDict):
    """One hour of the staffing forecast."""

    hour: int
    calls_per_hour: float
    agents_needed: int | None
    service_level: float | None
    occupancy: float | None
    logged_in: float | None


class StaffingOut(TypedDict):
    """The first line's forecast for a weekday (null: the average day)."""

    weekday: int | None
    days: int
    aht_seconds: float | None
    target_share: float
    target_seconds: int
    max_occupancy: float
    live: int | None
    hours: list[HourOut]


class ReportOut(TypedDict):
    """``/api/wskazniki``: the period, every section and, where there is a contact centre,
    its heat map and staffing forecast."""

    period: PeriodOut
    sections: list[SectionOut]
    heatmap: NotRequired[HeatmapOut]
    staffing: NotRequired[StaffingOut]


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


def heatmap_json(found: Heatmap) -> HeatmapOut:
    """The heat map's cells."""
    return {"weekdays": list(found.weekdays), "cells": [list(row) for row in found.cells],
            "max": found.max, "total": found.total}  # fmt: skip


def staffing_json(plan: Forecast) -> StaffingOut:
    """The staffing forecast hour by hour."""
    hours: list[HourOut] = [
        {"hour": h.hour, "calls_per_hour": h.calls_per_hour,
         "agents_needed": h.needed.agents if h.needed else None,
         "service_level": h.needed.service_level if h.needed else None,
         "occupancy": h.needed.occupancy if h.needed else None, "logged_in": h.logged_in}
        for h in plan.hours
    ]  # fmt: skip
    return {"weekday": plan.weekday, "days": plan.days, "aht_seconds": plan.aht_seconds,
            "target_share": plan.target_share, "target_seconds": plan.target_seconds,
            "max_occupancy": plan.max_occupancy, "live": plan.live, "hours": hours}  # fmt: skip
