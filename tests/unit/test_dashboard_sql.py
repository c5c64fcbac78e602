"""The dashboard's pure helpers: shares with nothing to divide by, parts in a fixed order
with their previous values, and a series with a point for every day."""

from __future__ import annotations

from datetime import date

from cic.dashboard.period import Period
from cic.dashboard.schemas import Part
from cic.dashboard.sql import count_parts, counts_series, fixed_parts, ratio, totals


def test_a_ratio_without_a_whole_is_none_not_zero() -> None:
    assert ratio(0, 0) is None
    assert ratio(0, 7) == 0.0
    assert ratio(3, 7, 1000.0) == 428.6
    assert ratio(1, 3) == 33.3


def test_parts_follow_the_labels_then_the_biggest_counts() -> None:
    got = count_parts({"b": 1, "x": 5, "y": 5, "z": 9}, {"a": 2, "w": 1}, {"a": "A", "b": "B"},
                      "reports", "kanal:")  # fmt: skip
    assert [(p.key, p.label, p.value, p.previous, p.count) for p in got] == [
        ("kanal:a", "A", 0.0, 2.0, 0), ("kanal:b", "B", 1.0, 0.0, 1),
        ("kanal:z", "z", 9.0, 0.0, 9), ("kanal:x", "x", 5.0, 0.0, 5),
        ("kanal:y", "y", 5.0, 0.0, 5), ("kanal:w", "w", 0.0, 1.0, 0),
    ]  # fmt: skip
    assert all(p.drill == "reports" for p in got)


def test_fixed_parts_keep_their_drill_keys() -> None:
    spec = {"nowi": ("Nowi", "residents"), "newsletter": ("Subskrybenci", "")}
    got = fixed_parts({"nowi": 2, "newsletter": 1}, {"nowi": 0, "newsletter": 1}, spec)
    assert got == (Part("nowi", "Nowi", 2.0, 0.0, 2, "residents"),
                   Part("newsletter", "Subskrybenci", 1.0, 1.0, 1, ""))  # fmt: skip


def test_a_series_has_every_day_and_totals_add_the_days_up() -> None:
    period = Period(date(2026, 3, 30), date(2026, 4, 1))
    points = counts_series(period, {date(2026, 3, 31): 4})
    assert [(p.day, p.value) for p in points] == [
        (date(2026, 3, 30), 0.0), (date(2026, 3, 31), 4.0), (date(2026, 4, 1), 0.0),
    ]  # fmt: skip
    days = {date(2026, 3, 30): {"email": 2, "www": 1}, date(2026, 3, 31): {"email": 3}}
    assert totals(days) == {"email": 5, "www": 1}
