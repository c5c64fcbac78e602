"""Topic models learned from examples: TF-IDF over lemmas (and lemma pairs), optionally also
over character n-grams of the words, with one logistic regression per topic (one-vs-rest), in
scikit-learn. Two models are learned this way: one from the corpus the project ships
(:mod:`cic.topics.corpus`, with character n-grams, so that a misrecognised word still shares
most of its letters with the right one) and one from supervisors' corrections.

Corrections come in as data - ``(text, topic ids)`` pairs, the topics a supervisor confirmed
for a transcript - never from a database here. A topic is learned only once it has at least
``min_examples`` corrections with it and as many without it; the tagger keeps using rules
alone for the others (see :mod:`cic.topics.tagger` for how the two are combined).

scikit-learn is installed with cic; should it be missing, :func:`train_model` raises
:class:`LearnedModelUnavailable` and the tagger runs on rules only.
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


def char_features(lemmas: Sequence[str]) -> list[str]:
    """Character 3- to 5-grams of each word of four letters or more, marked at its ends: what
    a garbled or unknown word ("smieciarke", "as best") still has in common with the right
    one."""
    grams = []
    for lemma in lemmas:
        if len(lemma) < 4:
            continue
        padded = f"<{lemma}>"
        for size in (3, 4, 5):
            grams += [padded[i : i + size] for i in range(len(padded) - size + 1)]
    return grams


class LearnedTopics:
    """A trained model; ``predict`` gives a probability for each topic it covers."""

    def __init__(
        self, vectorizer: Any, classifier: Any, topics: tuple[str, ...], margin_scale: float = 0.0
    ) -> None:
        """``margin_scale`` > 0: the classifier gives margins (a linear SVM), turned into a
        score in (0, 1) by ``sigmoid(margin_scale * margin)``."""
        self._vectorizer = vectorizer
        self._classifier = classifier
        self.topics = topics
        self.margin_scale = margin_scale

    def predict(self, lemmas: Sequence[str]) -> Mapping[str, float]:
        """Probability per covered topic for a text given as folded lemmas."""
        return self.predict_many([lemmas])[0]

    def predict_many(self, documents: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """:meth:`predict` of several texts at once (one call into scikit-learn)."""
        import numpy as np

        features = self._vectorizer.transform([list(d) for d in documents])
        if self.margin_scale > 0:
            margins = np.asarray(self._classifier.decision_function(features), dtype=float)
            matrix = 1.0 / (1.0 + np.exp(-self.margin_scale * margins.reshape(len(documents), -1)))
        else:
            matrix = np.asarray(self._classifier.predict_proba(features), dtype=float)
            if len(self.topics) == 1:  # a single binary classifier: [P(no), P(yes)]
                matrix = matrix[:, 1:]
        return [
            {topic: float(p) for topic, p in zip(self.topics, row, strict=True)} for row in matrix
        ]


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
    documents = [lemmatize(item.text) for item in items]
    return fit_topics(documents, [item.topics for item in items], topics)


def fit_topics(
    documents: Sequence[Sequence[str]],
    labels: Sequence[Collection[str]],
    topics: Sequence[str],
    *,
    characters: bool = False,
    c: float = 10.0,
    margin_scale: float = 0.0,
) -> LearnedTopics:
    """One-vs-rest logistic regressions over TF-IDF features of lemmatised documents (lemmas
    and lemma pairs, and with ``characters`` also character n-grams); with ``margin_scale``
    linear SVMs instead (several times faster to train on the corpus), their margins squashed
    into (0, 1)."""
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion
        from sklearn.svm import LinearSVC  # noqa: F401 - checked here, used below
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise LearnedModelUnavailable("scikit-learn is not installed") from error
    vectorizer: Any = TfidfVectorizer(analyzer=lemma_features, sublinear_tf=True)
    if characters:
        vectorizer = FeatureUnion(
            [
                ("lemmas", vectorizer),
                (
                    "characters",
                    TfidfVectorizer(analyzer=char_features, sublinear_tf=True, min_df=2),
                ),
            ]
        )
    features = vectorizer.fit_transform([list(d) for d in documents])
    matrix = np.array([[int(topic in found) for topic in topics] for found in labels])
    regression = LogisticRegression(C=c, class_weight="balanced", max_iter=1000, solver="liblinear")
    if len(topics) == 1:
        classifier: Any = regression.fit(features, matrix[:, 0])
    else:
        classifier = OneVsRestClassifier(regression).fit(features, matrix)
    return LearnedTopics(vectorizer, classifier, tuple(topics))
