"""How well a tagger's topics agree with labelled texts: micro and macro F1, the share of
texts left without a topic, and F1 per topic.

Used by ``bench/topics_quality.py`` and the quality test on the project's evaluation set; the
same figures could compare the tagger with supervisors' corrections.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TopicFigures:
    """Counts and F1 of one topic."""

    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        """Share of the topic's tags that were right (1.0 when it was never tagged)."""
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of the texts about the topic that got it (1.0 when none was)."""
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (1.0 when the topic was neither tagged nor
        labelled)."""
        total = self.predicted + self.actual
        return 2 * self.true_positive / total if total else 1.0


@dataclass(frozen=True, slots=True)
class Figures:
    """Agreement of predicted topics with labels over a set of texts."""

    texts: int
    untagged: int
    per_topic: dict[str, TopicFigures] = field(default_factory=dict)

    @property
    def micro(self) -> TopicFigures:
        """All topics' counts summed."""
        return TopicFigures(
            sum(f.true_positive for f in self.per_topic.values()),
            sum(f.predicted for f in self.per_topic.values()),
            sum(f.actual for f in self.per_topic.values()),
        )

    @property
    def macro_f1(self) -> float:
        """Mean F1 of the topics that are labelled at least once."""
        labelled = [f.f1 for f in self.per_topic.values() if f.actual]
        return sum(labelled) / len(labelled) if labelled else 0.0

    @property
    def untagged_share(self) -> float:
        """Share of texts that got no topic at all."""
        return self.untagged / self.texts if self.texts else 0.0


def figures(pairs: Iterable[tuple[Collection[str], Collection[str]]]) -> Figures:
    """Figures of (predicted topics, labelled topics) pairs, one per text."""
    hits: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    actual: Counter[str] = Counter()
    texts = untagged = 0
    for found, gold in pairs:
        texts += 1
        untagged += not found
        predicted.update(set(found))
        actual.update(set(gold))
        hits.update(set(found) & set(gold))
    topics = sorted(set(predicted) | set(actual))
    per_topic = {t: TopicFigures(hits[t], predicted[t], actual[t]) for t in topics}
    return Figures(texts, untagged, per_topic)


def measure(
    tag: Callable[[str], Collection[str]], labelled: Sequence[tuple[str, Collection[str]]]
) -> Figures:
    """Tag every text with ``tag`` and compare with its labels."""
    return figures((tag(text), gold) for text, gold in labelled)
