"""A topic model learned from supervisors' corrections: TF-IDF over lemmas (and lemma pairs)
with one logistic regression per topic (one-vs-rest), in scikit-learn.

Corrections come in as data - ``(text, topic ids)`` pairs, the topics a supervisor confirmed
for a transcript - never from a database here. A topic is learned only once it has at least
``min_examples`` corrections with it and as many without it; the tagger keeps using rules
alone for the others (see :mod:`cic.topics.tagger` for how the two are combined).

scikit-learn is an optional dependency (extra ``topics-learned``); without it
:func:`train_model` raises :class:`LearnedModelUnavailable` and the tagger runs on rules only.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_EXAMPLES = 5


class LearnedModelUnavailable(RuntimeError):
    """scikit-learn is not installed: tagging uses the rules only."""


@dataclass(frozen=True, slots=True)
class Correction:
    """A supervisor's decision: these are the topics of this text."""

    text: str
    topics: frozenset[str]


def lemma_features(lemmas: Sequence[str]) -> list[str]:
    """Lemmas and adjacent lemma pairs, the features the model sees."""
    pairs = [f"{a}_{b}" for a, b in itertools.pairwise(lemmas)]
    return [*lemmas, *pairs]


class LearnedTopics:
    """A trained model; ``predict`` gives a probability for each topic it covers."""

    def __init__(self, vectorizer: Any, classifier: Any, topics: tuple[str, ...]) -> None:
        self._vectorizer = vectorizer
        self._classifier = classifier
        self.topics = topics

    def predict(self, lemmas: Sequence[str]) -> Mapping[str, float]:
        """Probability per covered topic for a text given as folded lemmas."""
        features = self._vectorizer.transform([list(lemmas)])
        probabilities = self._classifier.predict_proba(features)[0]
        if len(self.topics) == 1:  # a single binary classifier: [P(no), P(yes)]
            probabilities = probabilities[1:]
        return {topic: float(p) for topic, p in zip(self.topics, probabilities, strict=True)}


def eligible_topics(corrections: Sequence[Correction], min_examples: int) -> tuple[str, ...]:
    """Topics with at least ``min_examples`` corrections with them and as many without."""
    counts = Counter(topic for correction in corrections for topic in correction.topics)
    total = len(corrections)
    return tuple(
        sorted(t for t, n in counts.items() if n >= min_examples and total - n >= min_examples)
    )


def train_model(
    corrections: Sequence[tuple[str, Collection[str]]] | Sequence[Correction],
    lemmatize: Callable[[str], list[str]],
    *,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
) -> LearnedTopics | None:
    """Trains on corrections; None when no topic has enough of them yet."""
    items = [
        c if isinstance(c, Correction) else Correction(c[0], frozenset(c[1])) for c in corrections
    ]
    topics = eligible_topics(items, min_examples)
    if not topics:
        return None
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise LearnedModelUnavailable("install scikit-learn (extra topics-learned)") from error
    vectorizer = TfidfVectorizer(analyzer=lemma_features, sublinear_tf=True)
    features = vectorizer.fit_transform([lemmatize(item.text) for item in items])
    labels = np.array([[int(topic in item.topics) for topic in topics] for item in items])
    regression = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000)
    if len(topics) == 1:
        classifier: Any = regression.fit(features, labels[:, 0])
    else:
        classifier = OneVsRestClassifier(regression).fit(features, labels)
    return LearnedTopics(vectorizer, classifier, topics)
