"""Turning sums into a figure with its parts, each compared with the previous period."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from cic.dashboard.schemas import Figure, Part, Point

S = TypeVar("S")


def share(part: float, whole: float) -> float | None:
    """``part`` as a percent of ``whole`` (one decimal), ``None`` when there is no whole."""
    return None if whole <= 0 else round(100 * part / whole, 1)


def mean(amount: float, count: int, plus: float = 0.0) -> float | None:
    """``amount / count + plus`` (one decimal), ``None`` when there is nothing to divide."""
    return None if count <= 0 else round(amount / count + plus, 1)


@dataclass(frozen=True)
class Measure(Generic[S]):
    """How to read one figure off the sums: the value and the count it stands on."""

    key: str
    label: str
    unit: str
    value: Callable[[S], float | None]
    count: Callable[[S], int]
    description: str
    higher_is_better: bool | None = None
    drill: str = ""

    def figure(
        self,
        now: S,
        before: S,
        parts: tuple[Mapping[str, S], Mapping[str, S]] | None = None,
        labels: Mapping[str, str] | None = None,
        prefix: str = "",
        series: Sequence[tuple[date, S]] = (),
    ) -> Figure:
        """The figure for ``now`` against ``before``, with parts when ``parts`` are given
        (``(now by key, before by key)``; rows with nothing to count are left out).

        As everywhere on the dashboard, a part's key is ``<prefix>:<key>``
        (``kolejka:pierwsza-linia``) and is the filter of the figure's drill-down, which lists
        exactly the part's ``count`` records (:mod:`cic.dashboard.centre_drill`).
        """
        rows: tuple[Part, ...] = ()
        if parts is not None:
            current, earlier = parts
            names = labels or {}
            rows = tuple(
                Part(
                    f"{prefix}:{key}",
                    names.get(key, key),
                    self.value(current[key]),
                    self.value(earlier[key]) if key in earlier else None,
                    self.count(current[key]),
                    self.drill,
                )
                for key in sorted(current, key=lambda k: (names.get(k, k).lower(), k))
                if self.count(current[key]) > 0
            )
        return Figure(
            self.key,
            self.label,
            self.unit,
            self.value(now),
            self.value(before),
            self.description,
            drill=self.drill,
            parts=rows,
            series=tuple(Point(day, self.value(sums)) for day, sums in series),
            higher_is_better=self.higher_is_better,
        )
