"""Choosing, on development calls, how the tagger decides: the corpus model's weight against
the rules, each topic's threshold, and the floor under which the likeliest topic of an
undecided text is not taken. Pure: it scores texts with the tagger it is given and counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cic.topics.corpus import Example
from cic.topics.quality import figures
from cic.topics.tagger import DEFAULT_CORPUS_WEIGHT, DEFAULT_THRESHOLD, Tagger

THRESHOLD_GRID = tuple(round(0.15 + 0.025 * i, 3) for i in range(29))  # 0.15 .. 0.85
MIN_DEV_POSITIVES = 3
WEIGHT_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per-topic thresholds, the fallback floor and the corpus model's weight chosen on a
    development split."""

    thresholds: dict[str, float]
    fallback: float | None
    corpus_weight: float = DEFAULT_CORPUS_WEIGHT


def _f1(true_positive: int, predicted: int, actual: int) -> float:
    return 2 * true_positive / (predicted + actual) if predicted + actual else 0.0


Scored = list[tuple[dict[str, float], frozenset[str]]]  # (confidence per topic, labels) per text


def calibrate(tagger: Tagger, dev: Sequence[Example]) -> Calibration:
    """The corpus model's weight with the best macro-F1 on ``dev`` (thresholds chosen on one
    half and measured on the other, both ways); then with that weight, per topic the threshold
    with the best F1 on the whole of ``dev`` (the higher of equals), and the fallback floor
    that gains most correct top topics for texts left without one."""
    known = {topic.id for topic in tagger.taxonomy.topics}
    evidence = tagger.evidence_many([example.text for example in dev])
    labels = [example.topics & known for example in dev]
    weights = WEIGHT_GRID if tagger.corpus is not None else (tagger.corpus_weight,)
    best: tuple[float, float] = (-1.0, tagger.corpus_weight)
    for weight in weights:
        scored = [
            ({s.topic_id: s.confidence for s in tagger.combine(found, weight)}, gold)
            for found, gold in zip(evidence, labels, strict=True)
        ]
        halves = (scored[::2], scored[1::2])
        quality = sum(
            _macro_f1(check, _thresholds(choose, known), tagger.threshold)
            for choose, check in (halves, halves[::-1])
        )
        best = max(best, (quality, weight))
    weight = best[1]
    scored = [
        ({s.topic_id: s.confidence for s in tagger.combine(found, weight)}, gold)
        for found, gold in zip(evidence, labels, strict=True)
    ]
    thresholds = _thresholds(scored, known)
    return Calibration(thresholds, _fallback(scored, thresholds, tagger.threshold), weight)


def _thresholds(scored: Scored, known: set[str]) -> dict[str, float]:
    """Per topic with enough examples, the threshold with the best F1 (the higher of equals)."""
    thresholds: dict[str, float] = {}
    for topic in sorted(known):
        actual = sum(1 for _, gold in scored if topic in gold)
        if actual < MIN_DEV_POSITIVES:
            continue
        best = (-1.0, DEFAULT_THRESHOLD)
        for limit in THRESHOLD_GRID:
            predicted = [(c.get(topic, 0.0) >= limit, topic in gold) for c, gold in scored]
            hits = sum(1 for p, g in predicted if p and g)
            f1 = _f1(hits, sum(1 for p, _ in predicted if p), actual)
            best = max(best, (f1, limit))
        thresholds[topic] = best[1]
    return thresholds


def _macro_f1(scored: Scored, thresholds: dict[str, float], default: float) -> float:
    """Mean F1 over the labelled topics when tagging with these thresholds."""
    return figures(
        ([t for t, c in found.items() if c >= thresholds.get(t, default)], gold)
        for found, gold in scored
    ).macro_f1


def _fallback(
    scored: Scored,
    thresholds: dict[str, float],
    default: float,
) -> float | None:
    """The floor under which the likeliest topic of an untagged text is not taken."""
    untagged = []
    for confidences, gold in scored:
        if any(c >= thresholds.get(t, default) for t, c in confidences.items()):
            continue
        if confidences:
            top = max(confidences, key=lambda t: confidences[t])
            untagged.append((confidences[top], top in gold))
    best: tuple[int, float | None] = (0, None)
    for floor in THRESHOLD_GRID:
        gain = sum(1 if right else -1 for confidence, right in untagged if confidence >= floor)
        if gain > best[0]:
            best = (gain, floor)
    return best[1]
