"""What every measure returns: a figure for the period and the previous one, its parts and
its daily series, or why it cannot be shown.

Figures are plain frozen dataclasses so the service, the views, the exports and the tests all
read the same thing. ``value is None`` means "no data in this period" (nothing to divide by);
``available is False`` means the source of the measure is not there at all (a module switched
off, a register not kept by cic) and ``note`` says so in Polish: such a figure is never shown
as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Units a figure may have: a count, a share in percent, seconds, minutes, hours, days.
UNITS = ("liczba", "%", "s", "min", "h", "dni", "na 1000")


@dataclass(frozen=True)
class Part:
    """One row of a figure's breakdown (a topic, a department, a channel, an agent...)."""

    key: str
    label: str
    value: float | None
    previous: float | None = None
    count: int | None = None  # how many records the value stands on (for averages and shares)
    drill: str = ""  # the drill-down key of this row's records, "" when there is none


@dataclass(frozen=True)
class Point:
    """One day's value of a figure (for the charts)."""

    day: date
    value: float | None


@dataclass(frozen=True)
class Figure:
    """One measure over a period, compared with the previous period.

    ``key`` is stable ("calls.service_level") and names the drill-down and export columns;
    ``label`` and ``description`` (how it is counted) are Polish; ``drill`` is the drill-down
    key whose records stand behind the figure ("" when none).
    """

    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    description: str = ""
    available: bool = True
    note: str = ""
    drill: str = ""
    parts: tuple[Part, ...] = ()
    series: tuple[Point, ...] = ()
    higher_is_better: bool | None = None  # None: neither (a count of events)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    @property
    def change(self) -> float | None:
        """``value - previous`` when both are known."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def unavailable(key: str, label: str, unit: str, note: str, description: str = "") -> Figure:
    """A figure whose source is not there: shown with ``note``, never as zero."""
    return Figure(key, label, unit, None, None, description, available=False, note=note)


@dataclass(frozen=True)
class Section:
    """A group of figures on the dashboard ("Strategia: mierniki sukcesu", "Centrum obsługi")."""

    key: str
    title: str
    figures: tuple[Figure, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DrillRow:
    """One record behind a figure: its kind (call, report, case, incident, ...), id, when,
    a Polish one-line summary, and the staff page that shows it."""

    kind: str
    id: str
    at: str  # ISO 8601
    summary: str
    link: str
    extra: tuple[tuple[str, str], ...] = ()  # further (Polish column label, value) pairs
