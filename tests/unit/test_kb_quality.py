"""Search quality on the independent evaluation set of agent queries (bench/kb_quality.py).

The evaluation file (tests/fixtures/quality/kb_queries.yaml) is written apart from the search's
tuning; until it is in the tree, the test skips. ``EVAL_FLOOR`` is provisional: the lead sets it
from the first measurement on the merged file, a few points under the measured top-3 rate.
"""

from __future__ import annotations

import pytest

from bench.kb_quality import DEV_QUERIES, EVAL_QUERIES, measure

EVAL_FLOOR = 0.95  # the target of issue 16; measured 0.971 (2026-12-06)
DEV_FLOOR = 0.95


def test_top_3_on_the_evaluation_set_keeps_its_floor() -> None:
    if not EVAL_QUERIES.is_file():
        pytest.skip(f"no evaluation set at {EVAL_QUERIES} (written apart; merged later)")
    figures = measure(EVAL_QUERIES)
    print(
        f"\nkb eval: {figures.queries} queries, top-1 {figures.top1:.3f}, top-3 {figures.top3:.3f}"
    )
    assert figures.queries > 0
    assert figures.top3 >= EVAL_FLOOR, figures.misses


def test_measure_on_the_development_set() -> None:
    figures = measure(DEV_QUERIES)
    without = measure(DEV_QUERIES, synonyms=False)
    assert figures.queries == without.queries >= 80
    assert figures.top3 >= DEV_FLOOR, figures.misses
    assert figures.top1 <= figures.top3
    assert len(figures.misses) == round((1 - figures.top3) * figures.queries)
